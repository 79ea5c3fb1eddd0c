"""Chat scripts of the benign look-alikes: tutors, assistants, parents abroad, creators' fans.

They are written to trip the same indicators a ring's chat does, because real ones do: a tutor
quotes rates, names an e-wallet, moves a class to Skype and asks a pupil's grade; a parent working
abroad sends money "for school fees", asks for a video call and keeps a gift secret; a fan asks a
creator's price for a shout-out. Text stays neutral (nothing sexual, nothing about anyone's body).
"""

from __future__ import annotations

import random

from vigil.demo.chats import Exchange, wallet_text

LOOKALIKE_SCRIPTS: dict[str, tuple[Exchange, ...]] = {
    "tutor_rates": (
        ((0, ("hi, do you still have slots for english lessons?",
              "hello, my son needs help with math, are you available?",
              "good day, are you the online tutor my cousin mentioned?")),
         (1, ("yes po. my rate is ${usd} per hour", "yes, my rates are ${usd} an hour",
              "yes, my rate is ${usd} per class of one hour")),
         (0, ("ok. how do we pay?", "sounds good, how do i pay you?", "ok, how do i send it?")),
         (1, ("send to my {wallet} please, name {name}", "you can send to my {wallet}",
              "payment by {wallet}, under {name}"))),
        ((1, ("add me on skype for the lessons, same name", "let's move to skype for class",
              "add me on skype please, zoom also works")),
         (0, ("ok added", "ok, will do", "done")),
         (1, ("video call me tonight at {clock} for a trial class",
              "video call me later so i can meet your son")),
         (0, ("ok", "sure"))),
    ),
    "assistant_rates": (
        ((0, ("hi, are you available for admin work, about 10 hours a week?",
              "hello, i need help with my online shop's orders. what are your rates?")),
         (1, ("yes. my rate is ${usd} per hour, paid weekly",
              "my rate is ${usd} per hour, invoiced weekly")),
         (0, ("ok. how do i pay you?", "fine. payment details?")),
         (1, ("send to my {wallet}, name {name}", "my {wallet} please"))),
        ((1, ("add me on skype so we can talk through the tasks",
              "add me on whatsapp for updates")),
         (0, ("ok", "done, added")),
         (1, ("video call me later to go through the tasks", "video call me tonight at {clock}?")),
         (0, ("ok", "sure"))),
    ),
    "tutor_pupil": (
        ((0, ("hi! what grade are you in now?", "hello! how old are you, so i can pick the book?")),
         (1, ("grade {grade}", "i'm {age}", "{age} po"))),
        ((0, ("ok. add me on skype, class starts at {clock}", "let's move to skype for class, "
              "the video is better there")),
         (1, ("ok", "ok teacher"))),
        ((0, ("tell your mom the rate for next month is the same",
              "remind your dad to send the payment for this week")),
         (1, ("ok teacher", "ok"))),
    ),
    "parent_child": (
        ((0, ("sent money for your school fees to mama's {wallet}",
              "sent your allowance to {wallet}, tell mama to check")),
         (1, ("thank you papa!", "received, thank you"))),
        ((0, ("video call me tonight at {clock}? i miss you", "video call later after school?")),
         (1, ("yes!", "ok, after homework"))),
        ((0, ("don't tell mama, i'm sending her a birthday gift", "it's a surprise for mama, "
              "keep it secret ok?")),
         (1, ("ok i won't tell", "haha ok"))),
    ),
    "fan_creator": (
        ((0, ("love your streams! how much for a shoutout?", "hi! do you take tips?",
              "great stream today, how do i send a tip?")),
         (1, ("thank you! shoutouts are ${usd}", "yes, tips go to my {wallet}",
              "thanks! {wallet} or the tip button")),
         (0, ("sent!", "ok, sent a tip", "done"))),
        ((1, ("join the fan group, add me on discord", "see you next stream!")),
         (0, ("ok", "will do", "turn on your camera next stream please!")),
         (1, ("see you there", "thanks!", "sure, tonight"))),
    ),
}


def lookalike_values(rng: random.Random, wallet: str | None, name: str,
                     usd: tuple[int, int]) -> dict[str, str]:
    """Fillers: a rate in dollars, a wallet as typed, a name, a time, a pupil's grade and age."""
    age = rng.randint(8, 14)
    rate = str(rng.randint(*usd))
    typed = wallet_text(rng, wallet) if wallet else "gcash"
    return {"usd": rate, "wallet": typed, "name": name, "clock": f"{rng.randint(3, 9)}pm",
            "age": str(age), "grade": str(age - 5)}
