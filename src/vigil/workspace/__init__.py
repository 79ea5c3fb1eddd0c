"""The analyst workspace's library half beyond accounts: exclusive claims, the queue's filters
and the masked messages of a case. The web pages (:mod:`vigil.web.pages`) call these."""
