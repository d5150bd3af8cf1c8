"""A local SMTP sink for the email tests (issue 16 §3): a small SMTP server
on loopback (RFC 5321: EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing,
RSET, NOOP, QUIT; no STARTTLS, so a client with CURLUSESSL_TRY goes on in
plain text) that keeps every message it gets. Python 3.12 has no smtpd
and Debian here has no python3-aiosmtpd. `refuse` makes it answer RCPT
with that reply (e.g. "550 5.1.1 no such user") to test failures."""
import socketserver
import threading
import time


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        sink = self.server.sink
        self.reply("220 sink.test ESMTP")
        mail_from, rcpts = None, []
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            cmd = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = cmd[:4].upper()
            if verb == "EHLO":
                self.reply("250-sink.test")
                self.reply("250-8BITMIME")
                self.reply("250 SIZE 30000000")
            elif verb == "HELO":
                self.reply("250 sink.test")
            elif verb == "MAIL":
                mail_from, rcpts = cmd[10:].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                if sink.refuse:
                    self.reply(sink.refuse)
                else:
                    rcpts.append(cmd[8:].strip())
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = []
                while True:
                    l = self.rfile.readline(1 << 20)
                    if not l or l in (b".\r\n", b".\n"):
                        break
                    data.append(l[1:] if l.startswith(b"..") else l)
                with sink.lock:
                    sink.messages.append({"from": mail_from, "to": rcpts,
                                          "data": b"".join(data)})
                self.reply("250 OK queued")
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    def __init__(self):
        self.messages, self.lock, self.refuse = [], threading.Lock(), None
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.sink = self
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def wait(self, count, timeout=30):
        """The first count messages, once that many came."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.1)
        raise AssertionError(f"{len(self.messages)} mails came, {count} expected")

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
