"""Writes ``synthetic.jsonl``: synthetic notes with planted Safe Harbor identifiers.

Every name, number, place and date is invented here from the lists below (seeded, so the
file is the same on every run): ``python -m tests.records.deid_cases.generate``. Each line
is one note: its ``text``, the record's own identifiers (``who``: the patient's name,
MRN, date of birth), each planted identifier as ``{start, end, kind, text}``, and the
clinical ``keep`` phrases that must survive de-identification.

The templates mark an identifier as ``{kind|surface}``; the generator keeps only notes in
which every identifying token of an identifier occurs nowhere else in the note, so that
"the token is gone from the output" means "this identifier was removed".
"""

from __future__ import annotations

import json
import random
import re
import string
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20261206

FIRST = [
    "Sarah",
    "Mary",
    "John",
    "Peter",
    "Linda",
    "Carlos",
    "Aisha",
    "Mei",
    "Dmitri",
    "Fatima",
    "Rosa",
    "Tomas",
    "Grace",
    "Henry",
    "Olga",
    "Priya",
    "Kwame",
    "Ingrid",
    "Luis",
    "Hannah",
    "Marcus",
    "Yuki",
    "Beatrice",
    "Rahul",
    "Nadia",
    "Walter",
    "Eleanor",
    "Samuel",
    "Joy",
    "Diego",
    "Agnes",
    "Victor",
    "Leah",
    "Omar",
    "Ruth",
    "Felix",
    "Irene",
    "Arjun",
    "Clara",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Hernandez",
    "Nakamura",
    "Whitfield",
    "Kowalski",
    "Brennan",
    "Abernathy",
    "Castellano",
    "Dubois",
    "Feldman",
    "Grabowski",
    "Haddad",
    "Ivanova",
    "Jablonski",
    "Kaur",
    "Lombardi",
    "McAllister",
    "Novak",
    "Ortega",
    "Petrov",
    "Quinlan",
    "Rasmussen",
    "Schaefer",
    "Tanaka",
    "Underwood",
    "Valdez",
    "Wojcik",
    "Yilmaz",
    "Zhang",
    "Baptiste",
    "Carrow",
    "Delacroix",
    "Esposito",
    "Fairbanks",
    "Goldberg",
    "Holloway",
]
RELATION = [
    "daughter",
    "son",
    "wife",
    "husband",
    "sister",
    "brother",
    "mother",
    "father",
    "granddaughter",
    "grandson",
    "niece",
    "nephew",
    "partner",
    "friend",
    "neighbor",
]
CITY = [
    "Springfield",
    "Riverton",
    "Fairview",
    "Lakewood",
    "Brookhaven",
    "Millbrook",
    "Ashford",
    "Cedar Falls",
    "Port Ellison",
    "Greenville",
    "Oak Ridge",
    "Marlow Creek",
    "Boston",
    "Denver",
    "Tucson",
    "Omaha",
    "Spokane",
    "Albany",
    "Savannah",
    "Duluth",
]
COUNTY = ["Harlan", "Marion", "Clay", "Wexford", "Bexar", "Travis", "Fulton", "Kittitas"]
STREET = [
    "Larkspur",
    "Maple",
    "Oak Hollow",
    "Juniper",
    "Elm",
    "Birchwood",
    "Sycamore",
    "Old Mill",
    "Willow Bend",
    "Chestnut",
    "Magnolia",
    "Harbor View",
]
STREET_KIND = ["Road", "Street", "Avenue", "Lane", "Drive", "Court", "Blvd", "St.", "Way"]
STATE = ["OH", "TX", "CA", "NY", "WA", "GA", "MN", "CO", "AZ", "NE", "Ohio", "Texas"]
MONTH = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MON = ["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"]
ONES = ["", "-one", "-two", "-three", "-four", "-five", "-six", "-seven", "-eight", "-nine"]

# Clinical phrases that must come through untouched: eponyms, drugs, codes, scores.
CLINICAL = [
    "Parkinson disease",
    "Down syndrome",
    "Apgar 8 and 9",
    "Hodgkin lymphoma",
    "Graves disease",
    "Crohn disease",
    "Alzheimer dementia",
    "Bell palsy",
    "metformin 500 mg BID",
    "lisinopril 10 mg daily",
    "apixaban 5 mg",
    "Eliquis",
    "atorvastatin 40 mg",
    "ICD-10 E11.65",
    "Z79.4",
    "I48.91",
    "CPT 99214",
    "0DTJ4ZZ",
    "A1c 7.9%",
    "eGFR 52",
    "BP 132/84",
    "pain 7/10",
    "strength 5/5",
    "HbA1c",
    "COVID-19",
    "NYHA class II",
    "Glasgow Coma Scale 15",
    "Foley catheter",
    "Whipple procedure",
    "Epley maneuver",
    "Babinski sign negative",
    "Murphy sign positive",
    "Lyme disease",
    "Wilms tumor",
    "Cushing syndrome",
    "Addison disease",
    "Tylenol 650 mg",
    "Lasix 40 mg",
    "Right knee pain",
    "Patient Education",
    "follow up in 2-3 weeks",
    "1/2 tab at bedtime",
    "motor strength 4/5",
    "grade 2/6 murmur",
    "CPT 99213",
    "ICD-10 M17.11",
    "HCPCS J1885",
    "May continue aspirin",
    "Jackson-Pratt drain",
    "Swan-Ganz catheter",
    "IgG4-related disease",
    "Holter monitor for 48 hours",
    "SARS-CoV-2 PCR negative",
    "BRCA1 positive",
    "T2DM",
    "vitamin B12 1000 mcg",
    "Hgb 10.2",
    "INR 2.5",
    "Na 138",
    "Medicare wellness visit",
    "Zoloft 50 mg",
    "Keppra 500 mg",
    "Humira 40 mg",
    "Ozempic 0.5 mg weekly",
    "ECOG 1",
    "CHA2DS2-VASc 4",
    "PHQ-9 score 12",
    "Left Heart Catheterization",
    "Hepatitis B surface antigen",
    "Foley 16 Fr",
    "Wells score 2",
    "Mallampati II",
    "gravida 3 para 2",
    "HEENT normal",
]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))


def _word_age(age: int) -> str:
    if age >= 100:
        return "one hundred" + ("" if age == 100 else f" and {_small(age - 100)}")
    return "ninety" + ONES[age - 90]


def _small(n: int) -> str:
    words = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
    ]
    return words[n]


def _phone(rng: random.Random) -> str:
    a, b, c = f"{rng.randint(201, 989)}", f"{rng.randint(200, 999)}", _digits(rng, 4)
    return rng.choice(
        [
            f"({a}) {b}-{c}",
            f"{a}-{b}-{c}",
            f"{a}.{b}.{c}",
            f"{a} {b} {c}",
            f"+1 {a} {b} {c}",
            f"1-{a}-{b}-{c}",
            f"{a}{b}{c}",
        ]
    )


def _date_no_year(rng: random.Random) -> str:
    m, d = rng.randint(1, 12), rng.randint(11, 28)
    return rng.choice(
        [
            f"{m}/{d}",
            f"{m:02d}/{d:02d}",
            f"{MONTH[m - 1]} {d}",
            f"{MON[(m - 1) % 12]} {d}",
            f"{d} {MONTH[m - 1]}",
            f"{MONTH[m - 1]} {d}th",
            f"the {d}th of {MONTH[m - 1]}",
            f"{m}-{d}",
        ]
    )


def _date_full(rng: random.Random) -> str:
    y, m, d = rng.randint(2015, 2026), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice(
        [
            f"{m}/{d}/{y}",
            f"{m:02d}/{d:02d}/{y}",
            f"{y}-{m:02d}-{d:02d}",
            f"{MONTH[m - 1]} {d}, {y}",
            f"{d} {MON[(m - 1) % 12]} {y}",
            f"{m}/{d}/{y % 100:02d}",
            f"{m}.{d}.{y}",
            f"{MONTH[m - 1]} {y}",
        ]
    )


def identifiers(rng: random.Random, who: dict[str, str]) -> list[tuple[str, str]]:
    """One sentence template per identifier kind, with fresh values: (kind, template)."""
    first, last = who["first"], who["last"]
    rel_first = rng.choice([f for f in FIRST if f != first])
    doc = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    mrn = who["mrn"]
    mrn_forms = [mrn, mrn.replace("-", ""), mrn.replace("-", " "), mrn.lower()]
    age = rng.randint(90, 104)
    age_forms = [
        f"{age}-year-old",
        f"{age} year old",
        f"{age} yo",
        f"{age} y/o",
        f"{_word_age(age)}-year-old",
        f"{_word_age(age)} years old",
        f"aged {_word_age(age)}",
    ]
    street = f"{rng.randint(10, 9999)} {rng.choice(STREET)} {rng.choice(STREET_KIND)}"
    zipc = f"{rng.randint(10, 99)}{_digits(rng, 3)}"
    plan = rng.choice(
        [
            f"Medicare ID {{plan|{_alnum(rng, 4)}-{_alnum(rng, 3)}-{_alnum(rng, 4)}}}",
            f"Medicare number {{plan|{_alnum(rng, 11)}}}",
            f"Medicaid # {{plan|{_digits(rng, 9)}}}",
            f"member ID {{plan|{rng.choice(['XJK', 'BCB', 'UHC'])}{_digits(rng, 9)}}}",
            f"subscriber id {{plan|{_alnum(rng, 10)}}}",
            f"policy no. {{plan|{_alnum(rng, 3)}-{_digits(rng, 6)}}}",
            f"insurance ID {{plan|{_digits(rng, 3)}{_alnum(rng, 6)}}}",
            f"group number {{plan|{_digits(rng, 6)}}}",
        ]
    )
    return [
        ("name", f"{{name|{first}}} reports feeling better."),
        ("name", f"Spoke with {{name|{rel_first}}}, his {rng.choice(RELATION)}."),
        ("name", f"{rng.choice(RELATION).capitalize()} {{name|{rng.choice(FIRST)}}} at bedside."),
        (
            "name",
            f"Lives with {rng.choice(['wife', 'husband', 'partner'])} "
            f"{{name|{rng.choice(FIRST)}}}.",
        ),
        ("name", f"{{name|{first}}}'s medications were reviewed."),
        ("name", f"Ms./Mr. {{name|{last}}} was counselled."),
        ("name", f"Seen with Dr. {{name|{doc}}}."),
        ("name", f"Note by {{name|{rng.choice(FIRST)} {rng.choice(LAST)}}}, RN."),
        ("name", f"{{name|{first.upper()} {last.upper()}}} identified by wristband."),
        (
            "geo",
            f"Lives at {{geo|{street}}}, {{geo|{rng.choice(CITY)}}}, "
            f"{rng.choice(STATE)} {{geo|{zipc}}}.",
        ),
        ("geo", f"Moved from {{geo|{rng.choice(CITY)}}} last year."),
        ("geo", f"Resident of {{geo|{rng.choice(COUNTY)} County}}."),
        ("geo", f"Works in {{geo|{rng.choice(CITY)}}} at a warehouse."),
        ("date", f"Seen {{date|{_date_no_year(rng)}}} for follow-up."),
        ("date", f"Admitted on {{date|{_date_full(rng)}}}."),
        ("date", f"Last colonoscopy {{date|{_date_no_year(rng)}}}."),
        ("date", f"DOB {{date|{who['dob_text']}}}."),
        ("age", f"This is a {{age|{rng.choice(age_forms)}}} with dyspnea."),
        ("phone", f"Call back at {{phone|{_phone(rng)}}}."),
        ("fax", f"Fax records to {{fax|{_phone(rng)}}}."),
        (
            "email",
            f"Email {{email|{first.lower()}.{last.lower()}{rng.randint(1, 99)}"
            f"@{rng.choice(['mail.example.com', 'example.org', 'clinic.example.net'])}}}.",
        ),
        (
            "ssn",
            rng.choice(
                [
                    f"SSN {{ssn|{_digits(rng, 3)}-{_digits(rng, 2)}-{_digits(rng, 4)}}}.",
                    f"Social security number {{ssn|{_digits(rng, 9)}}}.",
                    f"SSN: {{ssn|{_digits(rng, 3)} {_digits(rng, 2)} {_digits(rng, 4)}}}.",
                ]
            ),
        ),
        ("mrn", f"Chart {{mrn|{rng.choice(mrn_forms)}}} updated."),
        ("mrn", f"Prior MRN {{mrn|{_digits(rng, 7)}}} merged."),
        ("plan", f"Insurance: {plan}."),
        (
            "account",
            rng.choice(
                [
                    f"Billing account {{account|{_digits(rng, 8)}}}.",
                    f"Acct # {{account|{_alnum(rng, 2)}-{_digits(rng, 5)}}}.",
                    f"Account number {{account|{_digits(rng, 4)}-{_digits(rng, 4)}}}.",
                ]
            ),
        ),
        (
            "license",
            rng.choice(
                [
                    f"Driver's license {{license|{rng.choice('DSKW')}{_digits(rng, 7)}}}.",
                    f"DL# {{license|{_alnum(rng, 9)}}} on file.",
                    f"Nursing license no. {{license|RN{_digits(rng, 6)}}}.",
                    f"DEA {{license|{rng.choice('ABFM')}{rng.choice('BCDH')}{_digits(rng, 7)}}}.",
                    f"NPI {{license|{_digits(rng, 10)}}}.",
                    f"Death certificate number {{license|{_digits(rng, 4)}-{_digits(rng, 6)}}}.",
                ]
            ),
        ),
        (
            "vehicle",
            rng.choice(
                [
                    f"Car VIN {{vehicle|1{_alnum(rng, 16)}}}.",
                    f"License plate {{vehicle|{rng.randint(1, 9)}{_alnum(rng, 3)}{_digits(rng, 3)}}}.",  # noqa: E501
                    f"Plate {{vehicle|{_alnum(rng, 3)}-{_digits(rng, 4)}}} noted by EMS.",
                    f"Vehicle ID {{vehicle|{_alnum(rng, 8)}}}.",
                ]
            ),
        ),
        (
            "device",
            rng.choice(
                [
                    f"Pacemaker serial number {{device|{_alnum(rng, 2)}{_digits(rng, 6)}}}.",
                    f"Insulin pump SN: {{device|{_alnum(rng, 3)}-{_digits(rng, 5)}-{_alnum(rng, 2)}}}.",  # noqa: E501
                    f"Device serial {{device|{_digits(rng, 9)}}}.",
                    f"Implant lot # {{device|{_alnum(rng, 6)}}}.",
                    f"Phone IMEI {{device|{_digits(rng, 15)}}}.",
                ]
            ),
        ),
        (
            "url",
            rng.choice(
                [
                    f"Results online at {{url|https://chart{rng.randint(10, 99)}.hospital-portal.net/"  # noqa: E501
                    f"{_alnum(rng, 8).lower()}}}.",
                    f"See {{url|www.{last.lower()}-family.info/updates}} for updates.",
                    f"Shared {{url|mychart{rng.randint(10, 99)}.net/{_alnum(rng, 6).lower()}}} with family.",  # noqa: E501
                ]
            ),
        ),
        (
            "ip",
            rng.choice(
                [
                    f"Logged in from {{ip|10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}}}.",  # noqa: E501
                    f"Remote IP {{ip|2001:db8:{rng.randint(1, 9999):x}::{rng.randint(1, 999):x}}}.",
                ]
            ),
        ),
        (
            "biometric",
            rng.choice(
                [
                    f"Fingerprint template {{biometric|FP-{_alnum(rng, 8)}}} enrolled.",
                    f"Retinal scan ID {{biometric|{_alnum(rng, 10)}}}.",
                    f"Voiceprint {{biometric|{_alnum(rng, 9)}}} on file.",
                ]
            ),
        ),
        (
            "other",
            rng.choice(
                [
                    f"Employee ID {{other|{_alnum(rng, 2)}{_digits(rng, 5)}}}.",
                    f"Study ID {{other|{_alnum(rng, 3)}-{_digits(rng, 4)}}}.",
                    f"Claim number {{other|{_digits(rng, 12)}}}.",
                    f"Badge #{{other|{_digits(rng, 5)}}}.",
                ]
            ),
        ),
    ]


MARK = re.compile(r"\{(?P<kind>[a-z]+)\|(?P<text>[^{}]+)\}")
TOKEN = re.compile(r"[A-Za-z0-9]+")


def parse(marked: str) -> tuple[str, list[dict[str, object]]]:
    """Text without the ``{kind|surface}`` marks, and each mark's span and kind."""
    out: list[str] = []
    spans: list[dict[str, object]] = []
    pos = 0
    length = 0
    for m in MARK.finditer(marked):
        out.append(marked[pos : m.start()])
        length += m.start() - pos
        surface = m.group("text")
        spans.append(
            {
                "start": length,
                "end": length + len(surface),
                "kind": m.group("kind"),
                "text": surface,
            }
        )
        out.append(surface)
        length += len(surface)
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out), spans


def unique(text: str, spans: list[dict[str, object]]) -> bool:
    """Whether no identifying token of a span occurs anywhere outside it."""
    for span in spans:
        start, end = int(str(span["start"])), int(str(span["end"]))
        outside = (text[:start] + " " + text[end:]).lower()
        for tok in TOKEN.findall(str(span["text"])):
            if re.search(rf"(?<![a-z0-9]){re.escape(tok.lower())}(?![a-z0-9])", outside):
                return False
    return True


def note(rng: random.Random) -> dict[str, object]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    y, m, d = rng.randint(1925, 1990), rng.randint(1, 12), rng.randint(1, 28)
    who = {
        "first": first,
        "last": last,
        "mrn": f"{_alnum(rng, 2)}-{_digits(rng, 6)}",
        "dob_text": rng.choice(
            [f"{m}/{d}/{y}", f"{MONTH[m - 1]} {d}, {y}", f"{y}-{m:02d}-{d:02d}"]
        ),
    }
    picks = identifiers(rng, who)
    rng.shuffle(picks)
    chosen = picks[: rng.randint(8, 12)]
    keep = rng.sample(CLINICAL, 6)
    lines = [f"HPI: history of {keep[0]} and {keep[1]}.", f"{keep[4]}.", f"Also {keep[5]}."]
    lines += [t for _, t in chosen[: len(chosen) // 2]]
    lines.append(f"Assessment: {keep[2]}; plan {keep[3]}.")
    lines += [t for _, t in chosen[len(chosen) // 2 :]]
    text, spans = parse("\n".join(lines))
    return {
        "text": text,
        "who": {"names": [f"{first} {last}"], "mrns": [who["mrn"]], "dob": f"{y}-{m:02d}-{d:02d}"},
        "identifiers": spans,
        "keep": keep,
    }


def main() -> None:
    rng = random.Random(SEED)
    notes: list[dict[str, object]] = []
    kinds: dict[str, int] = {}
    while len(notes) < 60:
        item = note(rng)
        spans = item["identifiers"]
        assert isinstance(spans, list)
        if not unique(str(item["text"]), spans):
            continue
        notes.append(item)
        for s in spans:
            kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
    with (HERE / "synthetic.jsonl").open("w", encoding="utf-8") as fh:
        for item in notes:
            fh.write(json.dumps(item, sort_keys=True) + "\n")
    print(sum(kinds.values()), "identifiers", dict(sorted(kinds.items())))


if __name__ == "__main__":
    main()
