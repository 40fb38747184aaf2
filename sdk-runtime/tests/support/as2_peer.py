"""pyas2lib as the other trading partner of sdk_runtime::as2 (tests/as2_pyas2lib.rs).

  as2_peer.py receive PORT CERTFILE KEYFILE OUR_KEYCERT PARTNER_CERT OUT_DIR CAFILE
      An HTTPS AS2 receiver on 127.0.0.1:PORT (TLS with CERTFILE/KEYFILE): each POST is parsed
      by pyas2lib (decrypted, verified, MIC computed) and answered with its synchronous MDN, or,
      when asked, with 200 and an asynchronous MDN POSTed to the sender's URL. The payload and
      pyas2lib's status go to OUT_DIR/<n>.payload and OUT_DIR/<n>.json (an asynchronous MDN is
      POSTed over HTTPS trusting CAFILE). Prints "ready".
  as2_peer.py send URL CAFILE OUR_KEYCERT PARTNER_CERT PAYLOAD OUT_JSON [options]
      Builds a message with pyas2lib (options: --compress, --cipher NAME, --digest NAME,
      --unsigned, --unencrypted, --tamper), POSTs it, and checks the synchronous MDN with
      pyas2lib; writes {"status", "detail", "mic", "message_id", "http_status"} to OUT_JSON.

OUR_KEYCERT is pyas2lib's own key and certificate in one PEM file; PARTNER_CERT the certificate
of sdk_runtime's side.
"""
import json
import re
import ssl
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# oscrypto 1.3.0 (pyas2lib's dependency) fails to read OpenSSL's version when it has two-digit
# parts ("3.0.19"): its pattern wants single digits (fixed upstream, unreleased: wbond/oscrypto
# issue 78). Its two import-time searches get the fixed pattern; nothing else changes.
_search = re.search
_OLD = "\\b(\\d\\.\\d\\.\\d[a-z]*)\\b"


def _fixed_search(pattern, string, *args, **kwargs):
    if pattern == _OLD:
        pattern = "\\b(\\d+\\.\\d+\\.\\d+[a-z]*)\\b"
    return _search(pattern, string, *args, **kwargs)


re.search = _fixed_search
try:
    from pyas2lib import Mdn, Message, Organization, Partner  # noqa: E402
finally:
    re.search = _search

OUR_ID = "PYAS2"
PARTNER_ID = "RUSTAS2"


def parties(our_keycert, partner_cert, **partner_options):
    with open(our_keycert, "rb") as f:
        keycert = f.read()
    with open(partner_cert, "rb") as f:
        cert = f.read()
    org = Organization(
        as2_name=OUR_ID,
        sign_key=keycert,
        decrypt_key=keycert,
        mdn_url=None,
    )
    partner = Partner(
        as2_name=PARTNER_ID,
        verify_cert=cert,
        encrypt_cert=cert,
        validate_certs=False,
        **partner_options,
    )
    return org, partner


def raw_message(headers, body):
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode() + b"\r\n" + body


def receive(port, certfile, keyfile, our_keycert, partner_cert, out_dir, cafile):
    org, partner = parties(our_keycert, partner_cert, mdn_mode="SYNC", mdn_digest_alg="sha256")
    counter = {"n": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k: v for k, v in self.headers.items()}
            message = Message()
            status, (exc, _tb), mdn = message.parse(
                raw_message(headers, body),
                find_org_cb=lambda name: org if name == OUR_ID else None,
                find_partner_cb=lambda name: partner if name == PARTNER_ID else None,
            )
            with lock:
                counter["n"] += 1
                n = counter["n"]
            if message.payload is not None and status == "processed":
                with open(f"{out_dir}/{n}.payload", "wb") as f:
                    f.write(message.content)
            with open(f"{out_dir}/{n}.json", "w") as f:
                json.dump(
                    {
                        "status": status,
                        "error": str(exc) if exc else None,
                        "mic": message.mic.decode() if message.mic else None,
                        "digest_alg": message.digest_alg,
                        "signed": message.signed,
                        "encrypted": message.encrypted,
                        "compressed": message.compressed,
                        "message_id": message.message_id,
                    },
                    f,
                )
            if mdn is None:
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if mdn.mdn_mode == "ASYNC":
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                request = urllib.request.Request(
                    mdn.mdn_url, data=mdn.content, headers=mdn.headers, method="POST"
                )
                context = ssl.create_default_context(cafile=cafile)
                urllib.request.urlopen(request, context=context, timeout=30).read()
                return
            self.send_response(200)
            for k, v in mdn.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(mdn.content)))
            self.end_headers()
            self.wfile.write(mdn.content)

    server = ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, keyfile)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("ready", flush=True)
    server.serve_forever()


def send(url, cafile, our_keycert, partner_cert, payload_path, out_json, options):
    partner_options = {
        "sign": "--unsigned" not in options,
        "encrypt": "--unencrypted" not in options,
        "compress": "--compress" in options,
        "mdn_mode": "SYNC",
        "mdn_digest_alg": "sha256",
    }
    if "--cipher" in options:
        partner_options["enc_alg"] = options[options.index("--cipher") + 1]
    else:
        partner_options["enc_alg"] = "aes_256_cbc"
    if "--digest" in options:
        # The receipt's MIC in the same algorithm (pyas2lib compares it with its own MIC).
        digest = options[options.index("--digest") + 1]
        partner_options["digest_alg"] = digest
        partner_options["mdn_digest_alg"] = digest
    org, partner = parties(our_keycert, partner_cert, **partner_options)
    with open(payload_path, "rb") as f:
        payload = f.read()
    message = Message(org, partner)
    message.build(payload, filename="davka.txt", content_type="application/edi-consent")
    body = message.content
    if "--tamper" in options:
        # One byte changed in transit: of the payload when it travels in clear (signed only),
        # else in the middle of the encrypted content.
        at = body.find(b"KDAVKA")
        if at < 0:
            at = len(body) // 2
        body = body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]
    request = urllib.request.Request(url, data=body, headers=message.headers, method="POST")
    context = ssl.create_default_context(cafile=cafile)
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        http_status = response.status
        mdn_headers = {k: v for k, v in response.headers.items()}
        mdn_body = response.read()
    status, detail = Mdn().parse(
        raw_message(mdn_headers, mdn_body),
        find_message_cb=lambda message_id, recipient: message,
    )
    with open(out_json, "w") as f:
        json.dump(
            {
                "status": status,
                "detail": str(detail) if detail else None,
                "mic": message.mic.decode() if message.mic else None,
                "message_id": message.message_id,
                "http_status": http_status,
            },
            f,
        )


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "receive":
        receive(*sys.argv[2:9])
    elif command == "send":
        send(*sys.argv[2:8], sys.argv[8:])
    else:
        sys.exit(f"unknown command {command}")
