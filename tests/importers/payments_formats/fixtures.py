"""Small synthetic payment messages: made-up names, IBANs with check digits computed here by the
ISO 13616 algorithm, made-up BICs, neutral remittance texts."""

from __future__ import annotations


def iban(country: str, bban: str) -> str:
    """An IBAN for ``bban`` whose check digits satisfy ISO 13616 (mod 97 == 1)."""
    moved = bban + country + "00"
    check = 98 - int("".join(str(int(c, 36)) for c in moved)) % 97
    return f"{country}{check:02d}{bban}"


DEBTOR_IBAN = iban("GB", "TEST12345612345678")
CREDITOR_IBAN = iban("PH", "BANK0000123456789")
OTHER_IBAN = iban("DE", "500105170648489890")

PACS = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.{v}"
PAIN = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.{v}"


def pacs_tx(n: int = 1, *, amount: str = "150.00", ccy: str = "GBP",
            creditor: bool = True, ustrd: str = "family support", purp: str | None = "FAMI",
            uetr: str | None = None, date: str = "2025-03-04") -> str:
    cdtr = (f"<Cdtr><Nm>Rosa Example</Nm><PstlAdr><Ctry>PH</Ctry></PstlAdr></Cdtr>"
            f"<CdtrAcct><Id><IBAN>{CREDITOR_IBAN}</IBAN></Id></CdtrAcct>") if creditor else ""
    return (
        f"<CdtTrfTxInf><PmtId><InstrId>I{n}</InstrId><EndToEndId>NOTPROVIDED</EndToEndId>"
        f"<TxId>TX{n}</TxId>{f'<UETR>{uetr}</UETR>' if uetr else ''}</PmtId>"
        f"<IntrBkSttlmAmt Ccy=\"{ccy}\">{amount}</IntrBkSttlmAmt>"
        f"<IntrBkSttlmDt>{date}</IntrBkSttlmDt><ChrgBr>SHAR</ChrgBr>"
        f"<Dbtr><Nm>Sam Sample</Nm><PstlAdr><Ctry>GB</Ctry></PstlAdr></Dbtr>"
        f"<DbtrAcct><Id><IBAN>{DEBTOR_IBAN}</IBAN></Id></DbtrAcct>"
        f"<DbtrAgt><FinInstnId><BICFI>TESTGB2LXXX</BICFI></FinInstnId></DbtrAgt>"
        f"<CdtrAgt><FinInstnId><BICFI>BANKPHMM</BICFI></FinInstnId></CdtrAgt>{cdtr}"
        f"{f'<Purp><Cd>{purp}</Cd></Purp>' if purp else ''}"
        f"<RmtInf><Ustrd>{ustrd}</Ustrd></RmtInf></CdtTrfTxInf>\n")


def pacs008(*txs: str, version: str = "08", created: str = "2025-03-04T21:15:00+00:00") -> str:
    body = "".join(txs) or pacs_tx()
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{PACS.format(v=version)}">\n'
        f"<FIToFICstmrCdtTrf><GrpHdr><MsgId>MSG-0001</MsgId><CreDtTm>{created}</CreDtTm>"
        f"<NbOfTxs>{max(body.count('<CdtTrfTxInf>'), 1)}</NbOfTxs>"
        f"<SttlmInf><SttlmMtd>INDA</SttlmMtd></SttlmInf></GrpHdr>\n{body}"
        f"</FIToFICstmrCdtTrf></Document>\n")


def pain_tx(n: int, *, amount: str = "2500", ccy: str = "PHP", ustrd: str = "school fees") -> str:
    return (
        f"<CdtTrfTxInf><PmtId><EndToEndId>E2E-{n}</EndToEndId></PmtId>"
        f"<Amt><InstdAmt Ccy=\"{ccy}\">{amount}</InstdAmt></Amt>"
        f"<CdtrAgt><FinInstnId><BIC>BANKPHMM</BIC></FinInstnId></CdtrAgt>"
        f"<Cdtr><Nm>Lina Placeholder</Nm><Id><OrgId><AnyBIC>SCHLPHMM</AnyBIC></OrgId></Id></Cdtr>"
        f"<CdtrAcct><Id><Othr><Id>00-1234-{n}</Id></Othr></Id></CdtrAcct>"
        f"<RmtInf><Ustrd>{ustrd}</Ustrd></RmtInf></CdtTrfTxInf>\n")


def pain001(*txs: str, version: str = "03") -> str:
    return (
        f'<?xml version="1.0"?>\n<Document xmlns="{PAIN.format(v=version)}">'
        f"<CstmrCdtTrfInitn><GrpHdr><MsgId>PAIN-7</MsgId>"
        f"<CreDtTm>2025-05-01T08:30:00+10:00</CreDtTm><NbOfTxs>{len(txs)}</NbOfTxs></GrpHdr>\n"
        f"<PmtInf><PmtInfId>P1</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt>2025-05-02</ReqdExctnDt>"
        f"<Dbtr><Nm>Alex Demo</Nm><CtryOfRes>AU</CtryOfRes></Dbtr>"
        f"<DbtrAcct><Id><Othr><Id>123-456 789</Id></Othr></Id></DbtrAcct>"
        f"<DbtrAgt><FinInstnId><BIC>DEMOAU2S</BIC></FinInstnId></DbtrAgt>\n{''.join(txs)}"
        f"</PmtInf></CstmrCdtTrfInitn></Document>\n")


def mt103(ref: str = "REF0001", *, f32a: str = "250304EUR250,00", ordering: str | None = None,
          beneficiary: str | None = None, f70: str = "FAMILY SUPPORT", f71a: str = "SHA",
          uetr: str | None = None, end: str = "-}") -> str:
    """One MT103 (input form) with made-up BICs and IBANs; ``None`` parties get defaults."""
    ordering = ordering if ordering is not None else f":50K:/{OTHER_IBAN}\nMARIA MUSTER\nBERLIN\n"
    beneficiary = (beneficiary if beneficiary is not None else
                   f":59F:/{CREDITOR_IBAN}\n1/ROSA EXAMPLE\n2/1 SAMPLE ST\n3/PH/MANILA\n")
    block3 = f"{{3:{{121:{uetr}}}}}" if uetr else ""
    return (f"{{1:F01TESTDEFFAXXX0000000000}}{{2:I103BANKPHMMXXXXN}}{block3}{{4:\n"
            f":20:{ref}\n:23B:CRED\n:32A:{f32a}\n{ordering}:52A:TESTDEFF\n:57A:BANKPHMM\n"
            f"{beneficiary}:70:{f70}\n:71A:{f71a}\n{end}\n")


P2P_HEADER = "txn_id,sender,sender_phone,receiver,receiver_phone,amount,currency,time,note\n"


def p2p_row(n: int, *, amount: str = "20.00", currency: str = "USD",
            time: str = "2025-06-01T23:40:00-05:00", note: str = "gift") -> str:
    return (f"w-{n},sam_{n},+1 202 555 01{n:02d},rosa_{n},+63 917 555 01{n:02d},{amount},"
            f"{currency},{time},{note}\n")
