#!/usr/bin/env python3
"""Measure zeep (4.3.x, on lxml) decoding and encoding the SOAP messages of our codec benchmark.

What it measures
----------------
For every entry of a manifest written by our Rust benchmark, this script takes one message file
(a complete SOAP envelope, as bytes) and times python-zeep on exactly those bytes:

* decode: lxml parsing of the bytes plus zeep's deserialization of the operation's message, i.e.
  what a zeep client does with an answer ("output") or what a server would do with a request
  ("input"). Parsing is included because our Rust decode includes it.
* encode: zeep building the same message again from the decoded Python objects (including the
  SOAP header parts of inputs that declare one) plus ``etree.tostring`` to bytes, i.e. what a zeep
  client does before it posts a request ("input") and what a server would do to answer
  ("output").

Once per entry (not timed) the re-encoded bytes are decoded again and compared with the first
decode; the result is reported as "roundtrip".

Timing: one warm-up batch, then ``runs`` batches of ``iterations`` calls each; every batch is timed
with ``time.perf_counter_ns`` and divided by ``iterations``; the reported figure is the median of
the batches, in microseconds. The garbage collector stays enabled (as in a real zeep process).

How our benchmark calls it
--------------------------
    python3 bench/zeep_bench.py MANIFEST.json
    python3 bench/zeep_bench.py --selftest

MANIFEST.json is a JSON array of objects::

    {"name": "p1 odczytRecepty answer", "wsdl": "/abs/path/ObslugaRecepty.wsdl",
     "operation": "odczytRecepty", "direction": "input" | "output",
     "file": "/abs/path/message.xml", "iterations": 200, "runs": 7}

For each entry one JSON object is printed on its own line on stdout, in manifest order::

    {"name": ..., "decode_us": median, "encode_us": median,
     "decode_runs_us": [...], "encode_runs_us": [...], "roundtrip": true|false,
     "error": null | "message"}

An entry zeep cannot handle (loading the WSDL, finding the operation, decoding or encoding fails)
is reported with "error" set to the stage and exception text, null timings and roundtrip false;
the other entries still run. In manifest mode the exit status is 0 whenever the manifest could be
read (errors are data); 2 when it could not. Diagnostics go to stderr only.

--selftest builds small messages with zeep itself (e-Recepta odczytRecepty input with the
kontekstWywolania header and output, plus CeR pobierzListeWizytSync and a VZP service), writes
them and a manifest to a temporary folder, runs the benchmark on them with few iterations, prints
the results and exits non-zero if any entry errored or did not round-trip.

WSDLs are loaded from local files only: the transport below refuses every http(s) URL and zeep's
``forbid_external`` setting is on, so a WSDL that needs a remote document fails with a clear error
instead of fetching it.

Only zeep and lxml are used beyond the standard library.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import types
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

import zeep
from lxml import etree
from zeep import Settings
from zeep.loader import parse_xml
from zeep.transports import Transport
from zeep.wsdl.utils import etree_to_string
from zeep.xsd.valueobjects import AnyObject, CompoundValue

DEFAULT_ITERATIONS = 200
DEFAULT_RUNS = 7


# --------------------------------------------------------------------------------------------
# Loading WSDLs: local files only
# --------------------------------------------------------------------------------------------


class RemoteLoadRefused(Exception):
    """A WSDL/XSD referenced a document that is not a local file."""


class LocalFilesOnlyTransport(Transport):
    """A zeep Transport that reads local files and refuses anything on the network.

    zeep loads the WSDL and every wsdl:import / xs:import / xs:include through
    ``Transport.load``. The stock implementation fetches http, https and file URLs with requests;
    here file URLs and plain paths are read from disk and every other scheme raises. The HTTP
    methods are disabled as well: this benchmark never sends a message.
    """

    def load(self, url):
        if not url:
            raise ValueError("No url given to load")
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = unquote(parsed.path)
        elif parsed.scheme == "":
            path = os.path.expanduser(url)
        else:
            raise RemoteLoadRefused(
                "refusing to load %r: only local files are allowed (the WSDL/XSD set must be "
                "self-contained)" % url
            )
        with open(path, "rb") as fh:
            return fh.read()

    def _load_remote_data(self, url):
        raise RemoteLoadRefused("refusing to fetch %r over the network" % url)

    def get(self, address, params, headers):
        raise RemoteLoadRefused("network access is disabled in this benchmark")

    def post(self, address, message, headers):
        raise RemoteLoadRefused("network access is disabled in this benchmark")


_client_cache = {}


def load_client(wsdl_path):
    """Return a zeep.Client for wsdl_path, cached per path (a failure is cached as well)."""
    key = os.path.abspath(wsdl_path)
    if key not in _client_cache:
        try:
            settings = Settings(strict=True, forbid_external=True)
            client = zeep.Client(key, transport=LocalFilesOnlyTransport(), settings=settings)
            _client_cache[key] = (client, None)
        except Exception as exc:  # noqa: BLE001 - every loading failure is reported per entry
            _client_cache[key] = (None, exc)
    client, exc = _client_cache[key]
    if exc is not None:
        raise exc
    return client


def first_binding(client):
    """The binding of the first port of the first service (what ``client.service`` uses)."""
    if not client.wsdl.services:
        raise ValueError("the WSDL defines no service")
    service = next(iter(client.wsdl.services.values()))
    if not service.ports:
        raise ValueError("service %s has no port" % service.name)
    port = next(iter(service.ports.values()))
    return port.binding


# --------------------------------------------------------------------------------------------
# The codec: decode / encode exactly as zeep does it
# --------------------------------------------------------------------------------------------


class Codec:
    """zeep's decode and encode of one message (one operation, one direction) of one WSDL.

    decode(bytes) -> the object zeep returns:
      * output: ``binding.process_reply(client, operation, response)`` with a stand-in for the
        requests.Response (status 200, Content-Type text/xml). This is the very method a zeep
        client runs on an HTTP answer: ``zeep.loader.parse_xml`` (lxml, with zeep's parser
        settings), the Fault check, then ``operation.process_reply(doc)`` which checks the
        Envelope and calls ``operation.output.deserialize(envelope)``.
      * input: zeep has no server, so the same steps for the request side:
        ``zeep.loader.parse_xml`` then ``operation.input.deserialize(envelope)``.

    encode() -> bytes (from the decoded values prepared once by ``prepare``):
      * input: ``binding._create(operation, args, kwargs, client=client)`` followed by
        ``zeep.wsdl.utils.etree_to_string(envelope)``. ``_create`` is the whole body of the public
        ``Client.create_message`` and what ``client.service.<op>(...)`` runs before
        ``Transport.post_xml`` (which serializes with ``etree_to_string``); it calls
        ``operation.input.serialize(*args, _soapheaders=..., **kwargs)``. It is called directly
        only so that a body field named ``service`` or ``operation_name`` cannot collide with
        create_message's own parameters.
      * output: ``operation.output.serialize(*args, **kwargs)`` then ``etree_to_string`` of the
        envelope (zeep has no server; this is the message object's own serializer, the mirror of
        ``deserialize``).
    """

    def __init__(self, client, operation_name, direction):
        if direction not in ("input", "output"):
            raise ValueError("direction must be 'input' or 'output', not %r" % (direction,))
        self.client = client
        self.binding = first_binding(client)
        self.operation_name = operation_name
        self.operation = self.binding.get(operation_name)  # ValueError if unknown
        self.direction = direction
        self.message = getattr(self.operation, direction)
        if self.message is None:
            raise ValueError("operation %s has no %s message" % (operation_name, direction))
        self.args = ()
        self.kwargs = {}
        self.dropped_headers = []

    # -- decode --------------------------------------------------------------------------

    def decode(self, data):
        if self.direction == "output":
            response = types.SimpleNamespace(
                status_code=200,
                headers={"Content-Type": "text/xml; charset=utf-8"},
                content=data,
                encoding="utf-8",
            )
            return self.binding.process_reply(self.client, self.operation, response)
        doc = parse_xml(data, self.client.transport, settings=self.client.settings)
        envelope_tag = etree.QName(self.binding.nsmap["soap-env"], "Envelope")
        if doc.tag != envelope_tag:
            raise ValueError("root element is %s, not %s" % (doc.tag, envelope_tag))
        return self.message.deserialize(doc)

    # -- encode --------------------------------------------------------------------------

    def prepare(self, data):
        """Set the serialize() arguments from the message in data (untimed).

        ``SoapMessage.deserialize`` computes ``envelope(body=_deserialize_body(Body),
        header=_deserialize_headers(Header))`` and then, when the message has no header part,
        unwraps the result for convenience (a single child is returned instead of its parent),
        which cannot be serialized back without guessing. We therefore take the values from the
        same two zeep methods, before that unwrapping, and turn them into the arguments zeep's
        serializer takes: the body part's fields as keyword arguments (a simple-typed body as a
        positional argument) and the header parts as ``_soapheaders={part name: value}``.
        """
        msg = self.message
        doc = parse_xml(data, self.client.transport, settings=self.client.settings)
        body_el = doc.find("soap-env:Body", namespaces=msg.nsmap)
        header_el = doc.find("soap-env:Header", namespaces=msg.nsmap)
        if body_el is None:
            raise ValueError("the envelope has no soap Body")

        args, kwargs = (), {}
        self.dropped_headers = []
        if msg.body is not None and len(body_el):
            body = msg._deserialize_body(body_el)["body"]
            if isinstance(body, CompoundValue):
                kwargs = {name: body[name] for name in body}
            elif body is not None:
                args = (body,)

        header = msg._deserialize_headers(header_el).get("header")
        if header is not None:
            parts = {}
            for name, _element in msg.header.type.elements:
                if name in header and header[name] is not None:
                    parts[name] = header[name]
            if parts:
                kwargs["_soapheaders"] = parts
            # Headers the WSDL does not declare (e.g. wsse:Security) are kept by zeep as
            # _raw_elements; the dict form of _soapheaders cannot send them back.
            raw = header["_raw_elements"] if "_raw_elements" in header else None
            self.dropped_headers = [etree.QName(el).text for el in (raw or [])]
        self.args, self.kwargs = args, kwargs

    def encode(self):
        if self.direction == "input":
            envelope, _http_headers = self.binding._create(
                self.operation_name, self.args, self.kwargs, client=self.client
            )
        else:
            envelope = self.message.serialize(*self.args, **self.kwargs).content
        return etree_to_string(envelope)


# --------------------------------------------------------------------------------------------
# Comparing decoded values
# --------------------------------------------------------------------------------------------


def normalize(value):
    """A plain, comparable form of a zeep value (CompoundValue has __eq__, lxml elements do not)."""
    if isinstance(value, CompoundValue):
        return (type(value).__name__, {key: normalize(value[key]) for key in value})
    if isinstance(value, AnyObject):
        return ("AnyObject", str(getattr(value.xsd_obj, "qname", value.xsd_obj)),
                normalize(value.value))
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if isinstance(value, dict):
        return {key: normalize(v) for key, v in value.items()}
    if isinstance(value, etree._Element):
        return etree.tostring(value, method="c14n")
    return value


# --------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------


def time_batches(fn, iterations, runs):
    """Median and per-batch figures (µs per call) of `runs` batches of `iterations` calls."""
    perf = time.perf_counter_ns
    for _ in range(iterations):  # warm-up batch, not reported
        fn()
    per_call_us = []
    for _ in range(runs):
        start = perf()
        for _ in range(iterations):
            fn()
        per_call_us.append((perf() - start) / iterations / 1000.0)
    return round(statistics.median(per_call_us), 3), [round(x, 3) for x in per_call_us]


def positive_int(entry, key, default):
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("%s must be a positive integer, not %r" % (key, value))
    return value


def run_entry(entry):
    """Benchmark one manifest entry; always returns the result object (never raises)."""
    result = {
        "name": entry.get("name") if isinstance(entry, dict) else None,
        "decode_us": None,
        "encode_us": None,
        "decode_runs_us": None,
        "encode_runs_us": None,
        "roundtrip": False,
        "error": None,
    }
    stage = "manifest entry"
    try:
        if not isinstance(entry, dict):
            raise ValueError("not a JSON object: %r" % (entry,))
        for key in ("wsdl", "operation", "direction", "file"):
            if not isinstance(entry.get(key), str):
                raise ValueError("missing or non-string %r" % key)
        iterations = positive_int(entry, "iterations", DEFAULT_ITERATIONS)
        runs = positive_int(entry, "runs", DEFAULT_RUNS)

        stage = "read message"
        with open(entry["file"], "rb") as fh:
            data = fh.read()

        stage = "load wsdl"
        client = load_client(entry["wsdl"])

        stage = "find operation"
        codec = Codec(client, entry["operation"], entry["direction"])

        # Untimed checks first, so that an entry zeep cannot handle fails fast.
        stage = "decode"
        decoded = codec.decode(data)
        stage = "encode"
        codec.prepare(data)
        encoded = codec.encode()
        stage = "re-decode"
        redecoded = codec.decode(encoded)
        # Compare both the value zeep hands to a user and the full body/header values.
        full_first = (codec.args, codec.kwargs)
        codec.prepare(encoded)
        full_again = (codec.args, codec.kwargs)
        roundtrip = (normalize(decoded) == normalize(redecoded)
                     and normalize(full_first) == normalize(full_again))
        codec.prepare(data)  # the encode timings below use the original message's values
        if codec.dropped_headers:
            print("zeep_bench: %s: headers not declared in the WSDL are not re-encoded: %s"
                  % (result["name"], ", ".join(codec.dropped_headers)), file=sys.stderr)
        if not roundtrip:
            print("zeep_bench: %s: re-encoded message decodes differently\n  first: %r\n  again: %r"
                  % (result["name"], normalize(decoded), normalize(redecoded)), file=sys.stderr)

        stage = "decode timing"
        decode_us, decode_runs = time_batches(lambda: codec.decode(data), iterations, runs)
        stage = "encode timing"
        encode_us, encode_runs = time_batches(codec.encode, iterations, runs)

        result.update(decode_us=decode_us, encode_us=encode_us, decode_runs_us=decode_runs,
                      encode_runs_us=encode_runs, roundtrip=roundtrip)
    except Exception as exc:  # noqa: BLE001 - reported per entry, the others go on
        text = str(exc).strip() or repr(exc)
        result["error"] = "%s: %s: %s" % (stage, type(exc).__name__, text)
    return result


def run_manifest(path):
    """Run every entry of the manifest, printing one JSON line each; returns the results."""
    with open(path, "rb") as fh:
        entries = json.load(fh)
    if not isinstance(entries, list):
        raise ValueError("the manifest must be a JSON array")
    results = []
    for entry in entries:
        result = run_entry(entry)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        results.append(result)
    return results


# --------------------------------------------------------------------------------------------
# Self-test: messages built by zeep itself
# --------------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
P1_WSDL = REPO / "wsdl" / "p1" / "ObslugaRecepty.wsdl"
CER_WSDL = REPO / "wsdl" / "p1" / "cer" / "ObslugaCeR.wsdl"
VZP_WSDL = REPO / "wsdl" / "vzp" / "PrubehPojisteniDruhB2B.wsdl"

CET = timezone(timedelta(hours=1))
SUCCESS = {"major": "urn:csioz:p1:kod:major:Sukces", "minor": None, "komunikat": "OK"}


def kontekst(client, namespace, prefix, role):
    """A kontekstWywolania header value (P1 call context) built with zeep's element class."""
    element = client.get_element("{%s}kontekstWywolania" % namespace)
    attributes = [
        ("idPodmiotuOidRoot", "2.16.840.1.113883.3.4424.2.3.1"),
        ("idPodmiotuOidExt", "000000925537"),
        ("idUzytkownikaOidRoot", "2.16.840.1.113883.3.4424.1.6.2"),
        ("idUzytkownikaOidExt", "5992363"),
        ("idMiejscaPracyOidRoot", "2.16.840.1.113883.3.4424.2.3.2"),
        ("idMiejscaPracyOidExt", "000000925537-00001"),
        ("rolaBiznesowa", role),
    ]
    return element(
        atrybut=[{"nazwa": prefix + name, "wartosc": [value]} for name, value in attributes],
        Id="kontekst-1",
    )


def selftest_cases():
    """(name, wsdl, operation, direction, args, kwargs) for the self-test messages."""
    cases = []

    p1 = load_client(P1_WSDL)
    p1_header = kontekst(p1, "http://csioz.gov.pl/p1/kontekst/mt/v20170510",
                         "urn:csioz:p1:erecepta:kontekst:", "LEKARZ_LEK_DENTYSTA_FELCZER")
    cases.append(("selftest p1 odczytRecepty request", P1_WSDL, "odczytRecepty", "input", (), {
        "kluczRecepty": {"kluczRecepty": "0123456789012345678901234567890123456789012"},
        "_soapheaders": {"kontekstWywolania": p1_header},
    }))
    regula = {"kodRegulyWeryfikacji": "REG.WER.1001",
              "wynikWeryfikacji": "urn:csioz:p1:erecepta:kodWynikuWeryfikacji:ostrzezenie",
              "opisProblemu": "Zażółć gęślą jaźń: dawkowanie przekracza zalecane.",
              "miejsceWystapieniaBledu": "/ClinicalDocument/component[1]"}
    cases.append(("selftest p1 odczytRecepty answer", P1_WSDL, "odczytRecepty", "output", (), {
        "receptaIWynikWeryfikacji": {
            "statusRecepty": "WYSTAWIONA",
            "dokumentRealizacjiRecepty": [],
            "weryfikowanyDokument": {
                "numerReceptyWPakiecie": 1,
                "kluczRecepty": "0123456789012345678901234567890123456789012",
                "wynikWeryfikacjiZbioruRegul": {
                    "wynikWeryfikacji": "urn:csioz:p1:erecepta:kodWynikuWeryfikacji:pozytywny",
                    "identyfikatorZbioruRegul": "2.16.840.1.113883.3.4424.7.1",
                    "wynikWeryfikacjiReguly": [regula, dict(regula, kodRegulyWeryfikacji="REG.WER.1002")],
                },
            },
            "recepta": {"identyfikatorDokumentuWPakiecie": 1,
                        "tresc": b"<ClinicalDocument xmlns=\"urn:hl7-org:v3\">...</ClinicalDocument>" * 20},
        },
        "wynik": SUCCESS,
    }))

    cer = load_client(CER_WSDL)
    cer_header = kontekst(cer, "http://csioz.gov.pl/p1/kontekst/mt/v20180509",
                          "urn:csioz:p1:kontekst:", "SYSTEM_ZEWNETRZNY_PODMIOTU_LECZNICZEGO")
    mus = {"root": "2.16.840.1.113883.3.4424.2.3.3", "extension": "000000925537-00001-001"}
    cases.append(("selftest cer pobierzListeWizytSync request", CER_WSDL, "pobierzListeWizytSync",
                  "input", (), {"idMus": mus, "od": date(2026, 3, 2), "do": date(2026, 3, 6),
                                "zmienioneOd": datetime(2026, 3, 1, 8, 0, tzinfo=CET),
                                "_soapheaders": {"kontekstWywolania": cer_header}}))

    def wizyta(n):
        start = datetime(2026, 3, 2, 8, 0, tzinfo=CET) + timedelta(minutes=20 * n)
        return {
            "idWizyty": "W-%06d" % n, "idMus": mus, "kodSwiadczenia": "02.1010.001.02",
            "poczatek": start, "koniec": start + timedelta(minutes=20),
            "dane": {"idSlotu": "S-%06d" % n, "rodzajWizyty": "PIERWSZORAZOWA",
                     "pacjent": {"root": "2.16.840.1.113883.3.4424.1.1.616", "extension": "02070803628"},
                     "kontakt": {"email": "pacjent@example.pl", "telefon": "+48600100200"},
                     "skierowanie": {"kluczSkierowania": "K-%06d" % n},
                     "dataZapisu": datetime(2026, 2, 20, 12, 30, tzinfo=CET)},
            "status": "UMOWIONA", "kanal": "IKP",
            "zmieniono": datetime(2026, 2, 20, 12, 30, tzinfo=CET),
        }
    cases.append(("selftest cer pobierzListeWizytSync answer", CER_WSDL, "pobierzListeWizytSync",
                  "output", (), {"wizyta": [wizyta(n) for n in range(3)], "wynik": SUCCESS}))

    load_client(VZP_WSDL)
    cases.append(("selftest vzp PrubehPojisteniDruhB2B request", VZP_WSDL, "PrubehPojisteniDruhB2B",
                  "input", (), {"cisloPojistence": "7001011234", "kDatu": date(2026, 1, 15)}))
    cases.append(("selftest vzp PrubehPojisteniDruhB2B answer", VZP_WSDL, "PrubehPojisteniDruhB2B",
                  "output", (), {"stav": "pojisten", "kodPojistovny": "111",
                                 "nazevPojistovny": "Všeobecná zdravotní pojišťovna ČR",
                                 "druhPojisteni": "veřejné", "stavVyrizeniPozadavku": "ok"}))
    return cases


def selftest():
    """Build messages with zeep, benchmark them briefly; exit status 1 on any error/mismatch."""
    with tempfile.TemporaryDirectory(prefix="zeep_bench_selftest_") as folder:
        manifest = []
        try:
            cases = selftest_cases()
            for index, (name, wsdl, operation, direction, args, kwargs) in enumerate(cases):
                # The messages are what zeep itself sends (input) or would answer (output).
                codec = Codec(load_client(wsdl), operation, direction)
                codec.args, codec.kwargs = args, kwargs
                path = Path(folder) / ("%02d_%s_%s.xml" % (index, operation, direction))
                path.write_bytes(codec.encode())
                manifest.append({"name": name, "wsdl": str(wsdl), "operation": operation,
                                 "direction": direction, "file": str(path),
                                 "iterations": 20, "runs": 3})
        except Exception as exc:  # noqa: BLE001
            print("zeep_bench selftest FAILED building its messages: %s: %s"
                  % (type(exc).__name__, exc), file=sys.stderr)
            return 1
        manifest_path = Path(folder) / "manifest.json"
        manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        results = run_manifest(manifest_path)
    bad = [r["name"] for r in results if r["error"] is not None or not r["roundtrip"]]
    if bad:
        print("zeep_bench selftest FAILED: %s" % ", ".join(bad), file=sys.stderr)
        return 1
    print("zeep_bench selftest passed (%d entries, zeep %s)" % (len(results), zeep.__version__),
          file=sys.stderr)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Time zeep decoding/encoding the SOAP messages listed in a manifest.")
    parser.add_argument("manifest", nargs="?", help="JSON array of benchmark entries")
    parser.add_argument("--selftest", action="store_true",
                        help="benchmark messages built by zeep itself and check they round-trip")
    options = parser.parse_args(argv)
    if options.selftest:
        return selftest()
    if not options.manifest:
        parser.error("a MANIFEST.json (or --selftest) is required")
    try:
        run_manifest(options.manifest)
    except (OSError, ValueError) as exc:
        print("zeep_bench: cannot read manifest %s: %s" % (options.manifest, exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
