#!/usr/bin/python3
"""Scrapes Prometheus endpoints and parses them with prometheus_client's text-format parser.

usage: prometheus_scrape.py URL TOKEN [URL TOKEN ...]   (TOKEN "-": no Authorization header)
Prints [{"url": URL, "samples": [{"name", "labels", "value"}]}] as JSON; a page the parser rejects is an error.
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def scrape(url, token):
    request = urllib.request.Request(url)
    if token != "-":
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode("utf-8")
    samples = []
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples.append({"name": s.name, "labels": dict(s.labels), "value": s.value})
    return {"url": url, "samples": samples}


def main(args):
    if len(args) % 2:
        sys.exit(__doc__)
    print(json.dumps([scrape(args[i], args[i + 1]) for i in range(0, len(args), 2)]))


if __name__ == "__main__":
    main(sys.argv[1:])
