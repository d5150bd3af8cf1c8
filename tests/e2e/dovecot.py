"""A real Dovecot IMAP server for the email tests (issue 16 §3): started in a
temporary directory on a free loopback port, one mailbox per user in a
passwd file, mail delivered straight into the Maildir, stopped afterwards.
Plain IMAP on loopback (the driver speaks imaps:// in production)."""
import os
import pwd
import grp
import shutil
import socket
import subprocess
import tempfile
import time

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    def __init__(self, users):
        """users: {login: password}."""
        self.dir = tempfile.mkdtemp(prefix="aduan-dovecot-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.users = dict(users)
        me = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        # Dovecot's login and internal processes never run as root: as
        # root, Debian's own unprivileged users (dovenull, dovecot).
        login, internal = (("dovenull", "dovecot") if os.getuid() == 0 else (me, me))
        # The mailboxes' owner: never root either.
        self.uid, self.gid = ((pwd.getpwnam(internal).pw_uid, pwd.getpwnam(internal).pw_gid)
                              if os.getuid() == 0 else (os.getuid(), os.getgid()))
        igroup = grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name if os.getuid() == 0 else group
        d = self.dir
        with open(os.path.join(d, "passwd"), "w") as f:
            for u, p in self.users.items():
                f.write(f"{u}:{{PLAIN}}{p}:::::\n")
        conf = f"""
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/mail/%u
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {igroup}
mail_uid = {self.uid}
mail_gid = {self.gid}
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = passwd-file
  args = {d}/passwd
}}
userdb {{
  driver = static
  args = home={d}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {me}
  }}
  unix_listener stats-writer {{
    user = {me}
  }}
}}
"""
        self.conf = os.path.join(d, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        for u in self.users:
            for sub in ("cur", "new", "tmp"):
                os.makedirs(os.path.join(d, "mail", u, sub), exist_ok=True)
        for sub in ("mail", "home"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
            for root, dirs, _ in os.walk(os.path.join(d, sub)):
                os.chown(root, self.uid, self.gid)
        subprocess.run([DOVECOT, "-c", self.conf], check=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("dovecot did not start: " + self.log())

    def log(self):
        try:
            with open(os.path.join(self.dir, "dovecot.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    @property
    def url(self):
        return f"imap://127.0.0.1:{self.port}/INBOX"

    def deliver(self, user, raw):
        """Puts raw (bytes) into user's INBOX as a new, unseen message."""
        if isinstance(raw, str):
            raw = raw.encode()
        base = os.path.join(self.dir, "mail", user)
        name = f"{time.time():.6f}.{os.getpid()}.{len(os.listdir(os.path.join(base, 'new')))}.aduan"
        tmp = os.path.join(base, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(raw)
        os.chown(tmp, self.uid, self.gid)
        os.rename(tmp, os.path.join(base, "new", name))

    def flags(self, user):
        """The flags of user's messages, in the order Dovecot lists them
        (a Maildir file name's ':2,FLAGS'; new/ has none yet)."""
        base = os.path.join(self.dir, "mail", user)
        out = []
        for sub in ("new", "cur"):
            for n in sorted(os.listdir(os.path.join(base, sub))):
                out.append(n.split(":2,")[1] if ":2," in n else "")
        return out

    def unseen(self, user, needle):
        """Takes \\Seen off user's messages that contain needle (bytes), as a
        client would: the Maildir file's flags lose their S."""
        cur = os.path.join(self.dir, "mail", user, "cur")
        n = 0
        for name in os.listdir(cur):
            if ":2," not in name:
                continue
            with open(os.path.join(cur, name), "rb") as f:
                if needle not in f.read():
                    continue
            base, flags = name.split(":2,")
            os.rename(os.path.join(cur, name),
                      os.path.join(cur, base + ":2," + flags.replace("S", "")))
            n += 1
        return n

    def stop(self):
        subprocess.run([DOVECOT, "-c", self.conf, "stop"], capture_output=True)
        time.sleep(0.2)
        shutil.rmtree(self.dir, ignore_errors=True)
