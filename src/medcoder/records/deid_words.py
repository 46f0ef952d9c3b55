"""Word lists behind the de-identification rules in ``deid_rules``.

Cue words say that what follows is an identifier ("daughter Sarah", "Medicare ID ...",
"lives in ..."); keep words are clinical eponyms and terms that look like names or places
and must survive ("Parkinson disease", "Down syndrome", "Apgar"). Regex fragments are
plain strings, compiled where the rules are built.
"""

from __future__ import annotations

__all__ = [
    "CLINICAL_CODES",
    "CREDENTIAL",
    "DATE_CUE",
    "EPONYMS",
    "FACILITY",
    "HOLIDAY",
    "ID_LABEL",
    "MONTH",
    "NAME_CUE",
    "NAME_WORD",
    "NOT_A_NAME",
    "PLACE_CUE",
    "RELATION",
    "ROLE",
    "STATES",
    "STREET",
    "TITLES",
    "WORD_AGE",
]

MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
HOLIDAY = (
    r"(?:Christmas(?:\s+(?:Day|Eve))?|New\s+Year'?s(?:\s+(?:Day|Eve))?|Thanksgiving|"
    r"Easter(?:\s+Sunday)?|Independence\s+Day|Fourth\s+of\s+July|Labor\s+Day|Memorial\s+Day|"
    r"Halloween|Valentine'?s\s+Day|Hanukkah|Ramadan|Diwali)"
)
# Words before a bare month/day ("Seen 3/15") that make it a date, not a fraction or score.
DATE_CUE = (
    r"(?i:seen|on|since|from|until|till|by|dated?|DOS|admitted|admission|discharged?|"
    r"discharge|visit|last|next|starting|started|through|thru|to|return|returned|"
    r"follow[- ]?up|f/u|DOB|born|due|scheduled|before|after|as\s+of|effective|"
    r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?|"
    r"sat(?:urday)?|sun(?:day)?|"
    r"colonoscopy|mammogram|surgery|procedure|labs?|ECHO|EKG|ECG|CT|MRI|x-?ray|injury|fall)"
)
TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Prof|Professor|Nurse|Sr|Sister|Father|Rev)"
NAME_WORD = r"(?:Mc|Mac|O')?[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
CREDENTIAL = (
    r"(?:MD|M\.D\.|DO|NP|FNP|PA-C|PA|RN|LPN|CNA|APRN|CNM|DPM|PharmD|PhD|LCSW|MSW|PT|OT|DDS)"
)
RELATION = (
    r"(?i:daughter|son|wife|husband|spouse|sister|brother|mother|father|mom|dad|"
    r"grand(?:daughter|son|mother|father|child)|niece|nephew|aunt|uncle|cousin|partner|"
    r"boyfriend|girlfriend|fianc[eé]e?|friend|neighbou?r|caregiver|guardian|roommate|"
    r"step(?:son|daughter|mother|father)|(?:daughter|son|mother|father|brother|sister)-in-law)"
)
ROLE = (
    r"(?i:social\s+worker|case\s+manager|nurse|PCP|therapist|pharmacist|attending|resident|"
    r"surgeon|cardiologist|oncologist|neurologist|physician|provider|chaplain|interpreter|"
    r"midwife|dietitian|coordinator|navigator|scribe|intern|fellow|student)"
)
# Verbs and prepositions after which a capitalised word is a person.
NAME_CUE = (
    r"(?i:spoke\s+(?:with|to)|talked\s+(?:with|to)|called|calling|accompanied\s+by|"
    r"brought\s+in\s+by|per|contact(?:ed)?|signed\s+by|seen\s+by|note\s+by|dictated\s+by|"
    r"reviewed\s+(?:with|by)|discussed\s+with|cc|attn)"
)
PLACE_CUE = (
    r"(?i:lives\s+in|living\s+in|lived\s+in|resides\s+in|resident\s+of|moved\s+(?:from|to)|"
    r"born\s+in|is\s+from|comes\s+from|visiting\s+from|travell?ed\s+to|returned\s+from|"
    r"works\s+in|worked\s+in|works\s+at|employed\s+at|near|city\s+of|town\s+of|"
    r"transferred\s+from|relocated\s+(?:from|to)|home\s+in|trip\s+to)"
)
STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Pike|Alley)"
)
FACILITY = (
    r"(?:Hospital|Medical\s+Center|Health\s+Center|Clinic|Nursing\s+Home|Rehab(?:ilitation)?"
    r"\s+Center|Care\s+Center|Hospice|Manor|Assisted\s+Living|School|University|College)"
)
STATES = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|"
    r"NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|"
    r"Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|"
    r"Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|"
    r"Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|"
    r"New\s+Hampshire|New\s+Jersey|New\s+Mexico|New\s+York|North\s+Carolina|North\s+Dakota|"
    r"Ohio|Oklahoma|Oregon|Pennsylvania|Rhode\s+Island|South\s+Carolina|South\s+Dakota|"
    r"Tennessee|Texas|Utah|Vermont|Virginia|Washington|West\s+Virginia|Wisconsin|Wyoming)"
)
# Labels after which a number or code identifies someone or something (45 CFR
# 164.514(b)(2)(i)(H)-(R)). The value must hold a digit, so "Medicare ID on file" stays.
ID_LABEL = (
    r"(?i:MRN|MR\s?#|medical\s+record(?:\s+(?:number|no\.?|#))?|chart(?:\s+(?:number|no\.?|#))?|"
    r"(?:billing\s+)?acc(?:ou)?n?t\.?(?:\s+(?:number|no\.?|#))?|invoice|"
    r"medicare(?:\s+(?:id|number|no\.?|#|card))?|medicaid(?:\s+(?:id|number|no\.?|#))?|"
    r"member(?:\s+id)?|subscriber(?:\s+id)?|beneficiary(?:\s+(?:id|number))?|"
    r"policy(?:\s+(?:number|no\.?|#))?|group(?:\s+(?:number|no\.?|#))|"
    r"(?:insurance|health\s+plan|plan|payer)\s+(?:id|number|no\.?|#)|HICN|MBI|"
    r"(?:driver'?s\s+)?licen[cs]e(?:\s+(?:plate|number|no\.?|#))?|DL|DEA|NPI|UPIN|"
    r"certificate(?:\s+(?:number|no\.?|#))?|passport(?:\s+(?:number|no\.?|#))?|"
    r"VIN|(?:licen[cs]e\s+)?plate|tag(?:\s+number)?|vehicle(?:\s+(?:id|number))?|"
    r"serial(?:\s+(?:number|no\.?|#))?|SN|S/N|lot(?:\s+(?:number|no\.?|#))?|IMEI|UDI|"
    r"device\s+(?:id|number)|model\s+(?:number|no\.?)|"
    r"fingerprint(?:\s+(?:template|id|hash))?|(?:retina|retinal|iris)\s+(?:scan\s+)?(?:id|code)|"
    r"voiceprint|voice\s+print|biometric(?:\s+id)?|palm\s*print|"
    r"employee(?:\s+id)?|study(?:\s+id)?|badge|claim(?:\s+(?:number|no\.?|#))?|"
    r"case(?:\s+(?:number|no\.?|#))|report\s+(?:number|no\.?|#)|student\s+id|ID|"
    r"ref(?:erence)?(?:\s+(?:number|no\.?|#))?|confirmation|order(?:\s+(?:number|no\.?|#))|"
    r"accession(?:\s+(?:number|no\.?|#))?|specimen(?:\s+(?:id|number|#)))"
)
_ONES = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TEENS = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
# Ages from 90 up written in words: "ninety-two", "one hundred and one".
WORD_AGE = (
    rf"(?i:ninety(?:[- ]{_ONES})?|(?:one\s+|a\s+)?hundred(?:\s+and)?(?:[- ](?:{_TEENS}|{_ONES}|"
    rf"(?:twenty|thirty)(?:[- ]{_ONES})?))?)"
)
# Clinical eponyms and terms that the name and place rules must leave alone.
EPONYMS = frozenset(
    [
        "Parkinson",
        "Parkinson's",
        "Down",
        "Apgar",
        "Hodgkin",
        "Graves",
        "Crohn",
        "Crohn's",
        "Alzheimer",
        "Alzheimer's",
        "Bell",
        "Bell's",
        "Lyme",
        "Wilms",
        "Cushing",
        "Addison",
        "Addison's",
        "Babinski",
        "Murphy",
        "Murphy's",
        "Epley",
        "Whipple",
        "Foley",
        "Glasgow",
        "Barrett",
        "Barrett's",
        "Raynaud",
        "Hashimoto",
        "Kawasaki",
        "Guillain",
        "Barre",
        "Tourette",
        "Asperger",
        "Huntington",
        "Marfan",
        "Turner",
        "Klinefelter",
        "Bowen",
        "Paget",
        "Meniere",
        "Sjogren",
        "Wernicke",
        "Korsakoff",
        "Lachman",
        "McMurray",
        "Phalen",
        "Tinel",
        "Homan",
        "Homans",
        "Kernig",
        "Brudzinski",
        "Romberg",
        "Trendelenburg",
        "Valsalva",
        "Heimlich",
        "Holter",
        "Swan",
        "Ganz",
        "Hickman",
        "Jackson",
        "Pratt",
        "Coumadin",
        "Eliquis",
        "Tylenol",
        "Lasix",
        "Medicare",
        "Medicaid",
        "Tdap",
        "Hep",
    ]
)
# Capitalised words that the cue rules must not take for a name.
NOT_A_NAME = frozenset(
    [
        "The",
        "A",
        "An",
        "He",
        "She",
        "They",
        "His",
        "Her",
        "Their",
        "Him",
        "It",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Here",
        "Who",
        "Which",
        "And",
        "Or",
        "But",
        "With",
        "Without",
        "For",
        "From",
        "To",
        "At",
        "In",
        "On",
        "Of",
        "By",
        "As",
        "Is",
        "Was",
        "Are",
        "Were",
        "Be",
        "Been",
        "Has",
        "Had",
        "Have",
        "Will",
        "Would",
        "Can",
        "Could",
        "Should",
        "May",
        "Might",
        "Must",
        "Not",
        "No",
        "Yes",
        "Today",
        "Tonight",
        "Tomorrow",
        "Yesterday",
        "Patient",
        "Pt",
        "Family",
        "Phone",
        "Bedside",
        "Home",
        "Nursing",
        "Hospital",
        "Clinic",
        "Care",
        "Staff",
        "Team",
        "Doctor",
        "Dr",
        "Mr",
        "Mrs",
        "Ms",
        "Nurse",
        "Also",
        "Again",
        "Later",
        "Next",
        "Last",
        "Now",
        "Then",
        "Both",
        "All",
        "Each",
        "Any",
        "Some",
        "None",
        "Every",
        "Other",
        "Plan",
        "Assessment",
        "History",
        "Exam",
        "Note",
        "Notes",
        "Labs",
        "Records",
        "Chart",
        "Per",
        "Name",
        "Right",
        "Left",
        "Bilateral",
        "Regarding",
        "About",
        "Re",
        "Unknown",
        "Unable",
        "None",
        "Declined",
        "Present",
        "Absent",
        "Denies",
        "Reports",
    ]
)
# Clinical scores and markers shaped like codes of letters and digits.
CLINICAL_CODES = frozenset(
    [
        "CHA2DS2-VASc",
        "CHADS2",
        "HbA1c",
        "HgbA1c",
        "SARS-CoV-2",
        "COVID-19",
        "H1N1",
        "H5N1",
        "25-OH-D3",
        "1,25-OH2D3",
        "BRCA1",
        "BRCA2",
        "HER2",
        "PD-L1",
        "IL-6",
        "CD4",
        "CD8",
        "NT-proBNP",
        "5-HIAA",
        "17-OHP",
    ]
)
