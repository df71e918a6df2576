"""A small item bank for tests: every type, both countries, two parallel forms, and no
practice-only items (so practice is not offered)."""

QUIZ_YAML = """\
version: 1
assessments:
  pre: {count: 3, form: A}
  post: {count: 3, form: B}
  retention: {count: 3, form: B, opens_after_days: 30}
  practice: {count: 2}
items:
  - id: t-single
    type: single
    country: any
    forms: [A]
    stem: {en: "Which drum wastes less water?", bn: "কোন ড্রাম কম জল নষ্ট করে?", bn_BD: "কোন ড্রাম কম পানি নষ্ট করে?"}
    options:
      - {id: a, text: {en: "Batch washing", bn: "ব্যাচ ধোয়া", bn_BD: "ব্যাচ ধোয়া"}}
      - {id: b, text: {en: "Running water", bn: "চলমান জল", bn_BD: "চলমান পানি"}}
    answer: a
    feedback: {en: "Batch washing saves water.", bn: "ব্যাচ ধোয়ায় জল বাঁচে।", bn_BD: "ব্যাচ ধোয়ায় পানি বাঁচে।"}
  - id: t-multiple
    type: multiple
    country: any
    forms: [A]
    stem: {en: "Which are PPE?", bn: "কোনগুলি PPE?", bn_BD: "কোনগুলো PPE?"}
    options:
      - {id: a, text: {en: "Gloves", bn: "দস্তানা", bn_BD: "দস্তানা"}}
      - {id: b, text: {en: "Goggles", bn: "চশমা", bn_BD: "চশমা"}}
      - {id: c, text: {en: "Sandals", bn: "চটি", bn_BD: "স্যান্ডেল"}}
    answer: [a, b]
    feedback: {en: "Gloves and goggles.", bn: "দস্তানা ও চশমা।", bn_BD: "দস্তানা ও চশমা।"}
  - id: t-gst-numeric
    type: numeric
    country: IN
    forms: [A]
    stem: {en: "GST at 5% on ₹12,000?", bn: "₹১২,০০০-এ ৫% GST কত?"}
    unit: {en: "₹", bn: "₹"}
    answer: {value: 600, tolerance: 0}
    feedback: {en: "12,000 × 5% = 600.", bn: "১২,০০০ × ৫% = ৬০০।"}
  - id: t-vat-numeric
    type: numeric
    country: BD
    forms: [A]
    stem: {en: "VAT at 15% on ৳10,000?", bn_BD: "৳১০,০০০-এ ১৫% ভ্যাট কত?"}
    answer: {value: 1500, tolerance: 0}
    feedback: {en: "10,000 × 15% = 1,500.", bn_BD: "১০,০০০ × ১৫% = ১,৫০০।"}
  - id: t-true
    type: true_false
    country: any
    forms: [B]
    stem: {en: "Never enter a pit alone.", bn: "কখনও একা গর্তে নামবেন না।", bn_BD: "কখনো একা গর্তে নামবেন না।"}
    answer: true
    feedback: {en: "H2S can kill.", bn: "H2S প্রাণঘাতী।", bn_BD: "H2S প্রাণঘাতী।"}
  - id: t-order
    type: ordering
    country: any
    forms: [B]
    stem: {en: "Put the steps in order.", bn: "ধাপগুলি সাজান।", bn_BD: "ধাপগুলো সাজান।"}
    options:
      - {id: soak, text: {en: "Soak", bn: "ভেজানো", bn_BD: "ভেজানো"}}
      - {id: lime, text: {en: "Lime", bn: "চুন", bn_BD: "চুন"}}
      - {id: tan, text: {en: "Tan", bn: "ট্যান", bn_BD: "ট্যান"}}
    answer: [soak, lime, tan]
    feedback: {en: "Soak, lime, tan.", bn: "ভেজানো, চুন, ট্যান।", bn_BD: "ভেজানো, চুন, ট্যান।"}
  - id: t-match
    type: matching
    country: any
    forms: [B]
    stem: {en: "Match.", bn: "মেলান।", bn_BD: "মেলান।"}
    prompts:
      - {id: p1, text: {en: "CETP", bn: "CETP", bn_BD: "CETP"}}
      - {id: p2, text: {en: "PPE", bn: "PPE", bn_BD: "PPE"}}
    options:
      - {id: x, text: {en: "Effluent", bn: "বর্জ্য জল", bn_BD: "বর্জ্য পানি"}}
      - {id: y, text: {en: "Safety", bn: "সুরক্ষা", bn_BD: "সুরক্ষা"}}
    answer: {p1: x, p2: y}
    feedback: {en: "CETP treats effluent.", bn: "CETP বর্জ্য জল শোধন করে।", bn_BD: "CETP বর্জ্য পানি শোধন করে।"}
"""

#: The right response to every item (as the type's parse() would return it).
RIGHT = {
    "t-single": "a",
    "t-multiple": ["a", "b"],
    "t-gst-numeric": "600",
    "t-vat-numeric": "১৫০০",
    "t-true": True,
    "t-order": ["soak", "lime", "tan"],
    "t-match": {"p1": "x", "p2": "y"},
}

#: The same as form fields (what a tablet posts).
RIGHT_FORM = {
    "t-single": {"answer": "a"},
    "t-multiple": {"answer": ["a", "b"]},
    "t-gst-numeric": {"answer": "600"},
    "t-vat-numeric": {"answer": "১৫০০"},
    "t-true": {"answer": "true"},
    "t-order": {"position-soak": "1", "position-lime": "2", "position-tan": "3"},
    "t-match": {"match-p1": "x", "match-p2": "y"},
}
