# ruff: noqa: E501  (item banks keep one text per line, as authors write them)
"""A small content folder with facts and country blocks, for the tests of issue 18 (facts and
content per country)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.conftest import write_module


def write_facts(root: Path, country: str, name: str, text: str) -> Path:
    folder = root / "facts" / country
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


IN_FACTS = """\
gst-threshold:
  value: 4000000
  unit: INR
  source: "https://cbic-gst.gov.in/"
  checked: 2026-11-01
big-loan:
  value: 15000000
  unit: INR
  source: "https://www.mudra.org.in/"
  checked: 2026-11-01
payment-days:
  value: 45
  unit: days
  source: "https://samadhaan.msme.gov.in/"
  checked: 2026-11-01
gst-rate:
  value: 18
  unit: percent
  source: "https://cbic-gst.gov.in/"
  checked: 2026-11-01
"""
BD_FACTS = """\
vat-threshold:
  value: 5000000
  unit: BDT
  source: "https://nbr.gov.bd/"
  checked: 2026-11-01
payment-days:
  value: 30
  unit: days
  source: "https://nbr.gov.bd/"
  checked: 2026-11-01
"""

EN = """\
---
title: Tax registration
summary: Register for the tax of your country.
objectives:
  - Know when to register.
---

Who must register.

## Registering

::: IN
Register for GST above {fact:gst-threshold}; a loan of {fact:big-loan}; rate {fact:gst-rate}.
:::

::: BD
Take a BIN and register for VAT above {fact:vat-threshold}.
:::

Buyers pay within {fact:payment-days}.

::: BD
## Mushak returns

File Mushak 9.1 every month.
:::

## Keeping records

Keep every invoice.
"""
BN = """\
---
title: কর নিবন্ধন
summary: আপনার দেশের করে নিবন্ধন।
objectives:
  - কখন নিবন্ধন করতে হয় জানুন।
translated_from: FINGERPRINT
---

কাকে নিবন্ধন করতে হয়।

## নিবন্ধন

::: IN
{fact:gst-threshold}-এর বেশি হলে জিএসটি নিবন্ধন।
:::

::: BD
{fact:vat-threshold}-এর বেশি হলে ভ্যাট নিবন্ধন।
:::

## হিসাব রাখা

প্রতিটি চালান রাখুন।
"""

QUIZ = """\
version: 1
assessments:
  pre: {count: 2, form: A}
  post: {count: 1, form: B}
  retention: {count: 1, form: B}
items:
  - id: gst-threshold
    type: numeric
    country: IN
    forms: [A]
    stem: {en: "Above which turnover (₹) must you register for GST? It is {fact:gst-threshold}.", bn: "জিএসটি {fact:gst-threshold}"}
    answer: {fact: gst-threshold, tolerance: 0}
    feedback: {en: "GST: {fact:gst-threshold}.", bn: "জিএসটি: {fact:gst-threshold}।"}
  - id: vat-threshold
    type: numeric
    country: BD
    forms: [A]
    stem: {en: "Above which turnover (Tk) must you register for VAT? Hint: {fact:vat-threshold}.", bn_BD: "ভ্যাট {fact:vat-threshold}"}
    answer: {fact: vat-threshold, tolerance: 0}
    feedback: {en: "VAT: {fact:vat-threshold}.", bn_BD: "ভ্যাট: {fact:vat-threshold}।"}
  - id: days
    type: true_false
    country: any
    forms: [A, B]
    stem: {en: "Buyers pay within {fact:payment-days}.", bn: "{fact:payment-days}", bn_BD: "{fact:payment-days}"}
    answer: true
    feedback: {en: "Yes.", bn: "হ্যাঁ।", bn_BD: "হ্যাঁ।"}
"""


def write_content(root: Path) -> Path:
    """The ``tax`` module (en, bn, bn_BD) with its item bank and both countries' facts."""
    from lms.content.source import fingerprint

    folder = write_module(
        root,
        "tax",
        en=EN,
        bn=BN.replace("FINGERPRINT", fingerprint(EN)),
        bn_BD=BN.replace("FINGERPRINT", fingerprint(EN)),
    )
    (folder / "quiz.yaml").write_text(QUIZ, encoding="utf-8")
    write_facts(root, "IN", "tax.yaml", IN_FACTS)
    write_facts(root, "BD", "tax.yaml", BD_FACTS)
    return folder
