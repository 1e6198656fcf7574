#!/usr/bin/python3
"""Scrapes Prometheus endpoints and parses them with prometheus_client's text-format parser.

usage: prometheus_scrape.py [--tls-dir DIR] URL TOKEN [URL TOKEN ...]   (TOKEN "-": no Authorization header)
An https URL is fetched trusting only DIR/ca-cert.pem and presenting DIR/client-cert.pem (an agent's control API).
Prints [{"url": URL, "samples": [{"name", "labels", "value"}]}] as JSON; a page the parser rejects is an error.
"""
import json
import os
import ssl
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def tls_context(tls_dir):
    if tls_dir is None:
        return None
    context = ssl.create_default_context(cafile=os.path.join(tls_dir, "ca-cert.pem"))
    context.load_cert_chain(os.path.join(tls_dir, "client-cert.pem"), os.path.join(tls_dir, "client-key.pem"))
    return context


def scrape(url, token, context):
    request = urllib.request.Request(url)
    if token != "-":
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30, context=context) as response:
        text = response.read().decode("utf-8")
    samples = []
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples.append({"name": s.name, "labels": dict(s.labels), "value": s.value})
    return {"url": url, "samples": samples}


def main(args):
    tls_dir = None
    if args[:1] == ["--tls-dir"] and len(args) >= 2:
        tls_dir, args = args[1], args[2:]
    if len(args) % 2:
        sys.exit(__doc__)
    context = tls_context(tls_dir)
    print(json.dumps([scrape(args[i], args[i + 1], context) for i in range(0, len(args), 2)]))


if __name__ == "__main__":
    main(sys.argv[1:])
