"""The countries and subdivisions the ``holidays`` package accepts, without importing it.

A calendar's ``holidays: {country: GB, subdivision: ENG}`` is checked when the model is
validated (semantics §1). Asking the package imports all of its 250 country modules, about
0.2 s of every command on such a model (issue 15). The table below lists what one version of
the package accepts; it answers only while that version is installed (its version is read
from the installed package's metadata, as the package itself does when imported). Anything
it does not list (another version, a subdivision's alias or deprecated code, a mistake) is
left to the package. ``tools/holiday_regions.py`` writes the table from the installed
package, and checks it (tests/domain/test_holiday_regions.py).
"""

from __future__ import annotations

from functools import cache


def listed(country: str, subdivision: str | None) -> bool:
    """Whether the table vouches that the installed ``holidays`` accepts this country and
    subdivision. False only means: ask the package."""
    regions = _regions()
    if regions is None or country not in regions:
        return False
    return subdivision is None or subdivision in regions[country]


@cache
def _regions() -> dict[str, frozenset[str]] | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        if version("holidays") != HOLIDAYS_VERSION:
            return None
    except PackageNotFoundError:
        return None
    return parse_regions(REGIONS)


def parse_regions(text: str) -> dict[str, frozenset[str]]:
    """``"GB GBR: ENG|NIR|SCT|WLS"`` -> {"GB": {...}, "GBR": {...}}; a line that starts with
    a space carries on the one before; ``"AF AFG:"`` is a country without subdivisions."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith(" ") and lines:
            lines[-1] += line.strip()
        elif line:
            lines.append(line)
    regions: dict[str, frozenset[str]] = {}
    for line in lines:
        codes, _, subdivisions = line.partition(":")
        subdivisions = subdivisions.strip()
        found = frozenset(subdivisions.split("|")) if subdivisions else frozenset()
        for code in codes.split():
            regions[code] = found
    return regions


# -- written by tools/holiday_regions.py from the installed package: do not edit --
HOLIDAYS_VERSION = "0.109"
REGIONS = """
AD AND: 02|03|04|05|06|07|08
AE ARE:
AF AFG:
AG ATG:
AI AIA:
AL ALB:
AM ARM: AG|AR|AV|ER|GR|KT|LO|SH|SU|TV|VD
AO AGO:
AQ ATA:
AR ARG: A|B|C|D|E|F|G|H|J|K|L|M|N|P|Q|R|S|T|U|V|W|X|Y|Z
AS ASM: AK|AL|AR|AS|AZ|CA|CO|CT|DC|DE|FL|GA|GU|HI|IA|ID|IL|IN|KS|KY|LA|MA|MD|ME|MI|MN|MO|MP|MS|MT|NC
    |ND|NE|NH|NJ|NM|NV|NY|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UM|UT|VA|VI|VT|WA|WI|WV|WY
AT AUT: 1|2|3|4|5|6|7|8|9
AU AUS: ACT|NSW|NT|QLD|SA|TAS|VIC|WA|NSW Western
AW ABW:
AX ALA: 01|02|03|04|05|06|07|08|09|10|11|12|13|14|15|16|17|18|19
AZ AZE:
BA BIH: BIH|BRC|SRP
BB BRB:
BD BGD:
BE BEL: Flemish|French|German
BF BFA:
BG BLG:
BH BAH:
BI BDI:
BJ BEN:
BL BLM: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
BM BMU:
BN BRN:
BO BOL: B|C|H|L|N|O|P|S|T
BQ BES: BON|SAB|STA
BR BRA: AC|AL|AM|AP|BA|CE|DF|ES|GO|MA|MG|MS|MT|PA|PB|PE|PI|PR|RJ|RN|RO|RR|RS|SC|SE|SP|TO
    |São Paulo Capital
BS BHS:
BT BTN: 11|12|13|14|15|21|22|23|24|31|32|33|34|41|42|43|44|45|GA|TY
BV BVT:
BW BWA:
BY BLR:
BZ BLZ:
CA CAN: AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT
CC CCK:
CD COD:
CF CAF:
CG COG:
CH CHE: AG|AI|AR|BE|BL|BS|FR|GE|GL|GR|JU|LU|NE|NW|OW|SG|SH|SO|SZ|TG|TI|UR|VD|VS|ZG|ZH|Stadt Zurich
CI CIV:
CK COK:
CL CHL: AI|AN|AP|AR|AT|BI|CO|LI|LL|LR|MA|ML|NB|RM|TA|VS
CM CMR:
CN CHN:
CO COL:
CR CRI:
CU CUB:
CV CPV: BR|BV|CA|CF|CR|MA|MO|PA|PN|PR|RB|RG|RS|SD|SF|SL|SM|SO|SS|SV|TA|TS
CW CUW:
CX CXR:
CY CYP:
CZ CZE:
DE DEU: BB|BE|BW|BY|HB|HE|HH|MV|NI|NW|RP|SH|SL|SN|ST|TH|Augsburg
DJ DJI:
DK DNK:
DM DMA:
DO DOM:
DZ DZA:
EC ECU:
EE EST:
EG EGY:
EH ESH:
ER ERI:
ES ESP: AN|AR|AS|CB|CE|CL|CM|CN|CT|EX|GA|IB|MC|MD|ML|NC|PV|RI|VC|Barcelona
ET ETH:
FI FIN: 01|02|03|04|05|06|07|08|09|10|11|12|13|14|15|16|17|18|19
FJ FJI:
FK FLK:
FM FSM: KSA|PNI|TRK|YAP
FO FRO:
FR FRA: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
GA GAB:
GB GBR UK: ENG|NIR|SCT|WLS
GD GRD:
GE GEO:
GF GUF: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
GG GGY:
GH GHA:
GI GIB:
GL GRL:
GM GMB:
GN GIN:
GP GLP: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
GQ GNQ: AN|BN|BS|CS|DJ|KN|LI|WN
GR GRC:
GS SGS:
GT GUA:
GU GUM: AK|AL|AR|AS|AZ|CA|CO|CT|DC|DE|FL|GA|GU|HI|IA|ID|IL|IN|KS|KY|LA|MA|MD|ME|MI|MN|MO|MP|MS|MT|NC
    |ND|NE|NH|NJ|NM|NV|NY|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UM|UT|VA|VI|VT|WA|WI|WV|WY
GW GNB:
GY GUY:
HK HKG:
HM HMD:
HN HND:
HR HRV:
HT HTI:
HU HUN:
ID IDN:
IE IRL:
IL ISR:
IM IMN: ENG|NIR|SCT|WLS
IN IND: AN|AP|AR|AS|BR|CG|CH|DH|DL|GA|GJ|HP|HR|JH|JK|KA|KL|LA|LD|MH|ML|MN|MP|MZ|NL|OD|PB|PY|RJ|SK|TN
    |TR|TS|UK|UP|WB
IO IOT:
IQ IRQ:
IR IRN:
IS ISL:
IT ITA: AG|AL|AN|AO|AP|AQ|AR|AT|AV|BA|BG|BI|BL|BN|BO|BR|BS|BT|BZ|CA|CB|CE|CH|CL|CN|CO|CR|CS|CT|CZ|EN
    |FC|FE|FG|FI|FM|FR|GE|GO|GR|IM|IS|KR|LC|LE|LI|LO|LT|LU|MB|MC|ME|MI|MN|MO|MS|MT|NA|NO|NU|OR|PA|PC
    |PD|PE|PG|PI|PN|PO|PR|PT|PU|PV|PZ|RA|RC|RE|RG|RI|RM|RN|RO|SA|SI|SO|SP|SR|SS|SU|SV|TA|TE|TN|TO|TP
    |TR|TS|TV|UD|VA|VB|VC|VE|VI|VR|VT|VV|Andria|Barletta|Cesena|Forli|Pesaro|Trani|Urbino
JE JEY:
JM JAM:
JO JOR:
JP JPN:
KE KEN:
KG KGZ:
KH KHM:
KI KIR:
KM COM:
KN KNA:
KP PRK:
KR KOR:
KW KWT:
KY CYM:
KZ KAZ:
LA LAO:
LB LBN:
LC LCA:
LI LIE:
LK LKA:
LR LBR:
LS LSO:
LT LTU:
LU LUX:
LV LVA:
LY LBY:
MA MOR:
MC MCO:
MD MDA:
ME MNE:
MF MAF: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
MG MDG:
MH MHL:
MK MKD:
ML MLI:
MM MMR:
MN MNG:
MO MAC: I|M
MP MNP: AK|AL|AR|AS|AZ|CA|CO|CT|DC|DE|FL|GA|GU|HI|IA|ID|IL|IN|KS|KY|LA|MA|MD|ME|MI|MN|MO|MP|MS|MT|NC
    |ND|NE|NH|NJ|NM|NV|NY|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UM|UT|VA|VI|VT|WA|WI|WV|WY
MQ MTQ: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
MR MRT:
MS MSR:
MT MLT:
MU MUS:
MV MDV:
MW MWI:
MX MEX:
MY MYS: 01|02|03|04|05|06|07|08|09|10|11|12|13|14|15|16
MZ MOZ:
NA NAM:
NC NCL: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
NE NER:
NF NFK:
NG NGA:
NI NIC: AN|AS|BO|CA|CI|CO|ES|GR|JI|LE|MD|MN|MS|MT|NS|RI|SJ
NL NLD: Midden|Noord|Zuid
NO NOR: 03|11|15|18|21|22|31|32|33|34|39|40|42|46|50|55|56
NP NPL:
NR NRU:
NU NIU:
NZ NZL: AUK|BOP|CAN|CIT|GIS|HKB|MBH|MWT|NSN|NTL|OTA|STL|TAS|TKI|WGN|WKO|WTC|South Canterbury
OM OMN:
PA PAN:
PE PER:
PF PYF: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
PG PNG:
PH PHL:
PK PAK:
PL POL: 02|04|06|08|10|12|14|16|18|20|22|24|26|28|30|32
PM SPM: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
PN PCN:
PR PRI: AK|AL|AR|AS|AZ|CA|CO|CT|DC|DE|FL|GA|GU|HI|IA|ID|IL|IN|KS|KY|LA|MA|MD|ME|MI|MN|MO|MP|MS|MT|NC
    |ND|NE|NH|NJ|NM|NV|NY|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UM|UT|VA|VI|VT|WA|WI|WV|WY
PS PSE:
PT PRT: 01|02|03|04|05|06|07|08|09|10|11|12|13|14|15|16|17|18|20|30
PW PLW:
PY PRY:
QA QAT:
RE REU: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
RO ROU:
RS SRB:
RU RUS:
RW RWA:
SA SAU:
SB SLB: CE|CH|CT|GU|IS|MK|ML|RB|TE|WE
SC SYC:
SD SDN:
SE SWE:
SG SGP:
SH SHN: AC|HL|TA
SI SVN:
SJ SJM: 03|11|15|18|21|22|31|32|33|34|39|40|42|46|50|55|56
SK SVK:
SL SLE:
SM SMR:
SN SEN:
SO SOM:
SR SUR:
SS SSD:
ST STP: 01|02|03|04|05|06|P
SV SLV: AH|CA|CH|CU|LI|MO|PA|SA|SM|SO|SS|SV|UN|US
SX SXM:
SY SYR:
SZ SZW:
TC TCA:
TD TCD:
TF ATF: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
TG TGO:
TH THA:
TJ TJK:
TK TKL:
TL TLS:
TM TKM:
TN TUN:
TO TON:
TR TUR:
TT TTO:
TV TUV: FUN|NIT|NKF|NKL|NMA|NMG|NUI|VAI
TW TWN:
TZ TZA:
UA UKR:
UG UGA:
UM UMI: AK|AL|AR|AS|AZ|CA|CO|CT|DC|DE|FL|GA|GU|HI|IA|ID|IL|IN|KS|KY|LA|MA|MD|ME|MI|MN|MO|MP|MS|MT|NC
    |ND|NE|NH|NJ|NM|NV|NY|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UM|UT|VA|VI|VT|WA|WI|WV|WY
US USA: AK|AL|AR|AS|AZ|CA|CO|CT|DC|DE|FL|GA|GU|HI|IA|ID|IL|IN|KS|KY|LA|MA|MD|ME|MI|MN|MO|MP|MS|MT|NC
    |ND|NE|NH|NJ|NM|NV|NY|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UM|UT|VA|VI|VT|WA|WI|WV|WY
UY URY:
UZ UZB:
VA VAT:
VC VCT:
VE VEN:
VG VGB:
VI VIR: AK|AL|AR|AS|AZ|CA|CO|CT|DC|DE|FL|GA|GU|HI|IA|ID|IL|IN|KS|KY|LA|MA|MD|ME|MI|MN|MO|MP|MS|MT|NC
    |ND|NE|NH|NJ|NM|NV|NY|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UM|UT|VA|VI|VT|WA|WI|WV|WY
VN VNM:
VU VTU:
WF WLF: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
WS WSM:
XK XKK:
YE YEM:
YT MYT: 57|6AE|971|972|973|974|976|BL|MF|NC|PF|PM|TF|WF|Zone A|Zone B|Zone C
ZA ZAF:
ZM ZMB:
ZW ZWE:
"""
# -- end of the table --
