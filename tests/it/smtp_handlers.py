"""aiosmtpd handlers for umctl's SMTP tests (tests/it/mail_smtp.rs).

Picky stores mail in a Maildir like aiosmtpd.handlers.Mailbox, but refuses some recipients so
the tests can see both kinds of failure: a local part starting with "reject" gets a permanent
550, one starting with "defer" a temporary 451.
"""

from aiosmtpd.handlers import Mailbox


class Picky(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: recipient rejected by the test server" % address
        if local.startswith("defer"):
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"
