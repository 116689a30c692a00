"""Writes bench/data/pii_test2.jsonl: a second held-out set, written after the round-two changes that
were informed by pii_test.jsonl's errors, so that a never-seen figure exists for the final code.
New templates, people, places and value formats; scored once."""
from __future__ import annotations

import sys

from common import Gen, build, id_check_digit, iban_il, luhn_digit, write

g = Gen(424242)
r = g.r
FIRST = ["שלומית", "אסף", "נגה", "אייל", "הדס", "ליאור", "יעלי", "מוטי", "רעות", "זיו", "חגית", "סאמי", "לאה",
         "אריאל", "טל", "מרים", "אלכסנדרה", "ג'ודי", "עמרי", "נופר", "ויסאם", "דבורה", "ישראל", "אלה"]
LAST = ["אשכנזי", "בירנבאום", "גרוס", "הלוי", "ויסמן", "זלצמן", "חיון", "טל", "יוסופוב", "כהנא", "לנדאו",
        "מרקוביץ", "נוימן", "סעדה", "עמר", "פלד", "צדוק", "קורן", "ראובני", "שושן", "אבו חמד", "דהאן"]
STREETS = ["השקמה", "ארלוזורוב", "הרצל", "טרומפלדור", "האורנים", "יהודה הלוי", "קיבוץ גלויות", "הברוש",
           "רמב\"ם", "אבן גבירול", "הגליל", "שמואל הנגיד"]
CITIES = ["כפר סבא", "נהריה", "ראש העין", "לוד", "קריית ביאליק", "שדרות", "אופקים", "כרמיאל", "יבנה",
          "טירת כרמל", "גבעת שמואל", "פרדס חנה-כרכור", "נס ציונה", "עכו"]
MONTHS = ["ינואר", "פברואר", "מרץ", "אפריל", "מאי", "יוני", "יולי", "אוגוסט", "ספטמבר", "אוקטובר", "נובמבר", "דצמבר"]


def d(n, first="0123456789"):
    return g.digits(n, first)


def name():
    return (f"{r.choice(FIRST)} {r.choice(LAST)}" if r.random() < 0.65 else r.choice(FIRST)), "name"


def tz():
    b = d(8, "0123")
    v = b + id_check_digit(b)
    return (v[1:] if v.startswith("0") and r.random() < 0.2 else v), "id_number"


def phone():
    k = r.random()
    n = d(7)
    if k < 0.4:
        p = "05" + r.choice("0234589")
        return r.choice([f"{p}-{n}", f"{p}{n}", f"{p}-{n[:3]}-{n[3:]}", f"{p} {n[:3]}-{n[3:]}"]), "phone"
    if k < 0.65:
        p = "0" + r.choice("23489")
        n = d(7, "2345679")
        return r.choice([f"{p}-{n}", f"{p}-{n[:3]}{n[3:]}", f"{p}-{n[:3]}-{n[3:]}"]), "phone"
    if k < 0.75:
        return f"07{r.choice('2367')}-{n}", "phone"
    if k < 0.92:
        a = r.choice(["52", "50", "54", "2", "9"])
        return r.choice([f"+972{a}-{n}", f"+972 {a} {n}", f"00972 {a} {n[:3]} {n[3:]}", f"972{a}{n}"]), "phone"
    return "050" + "1" + d(6), "phone"


def email():
    user = r.choice(["shlomit.a", "assaf77", "noga_b", "eyal.weiss", "hadas.k", "lior1990", "reut.shoshan", "ziv.p"])
    return f"{user}@{r.choice(['gmail.com', 'yahoo.co.il', 'walla.co.il', 'mail.huji.ac.il', 'clinic.org.il'])}", "email"


def card():
    p = r.choice(["4", "5" + r.choice("25")]) + d(14 if r.random() < 0.5 else 13)
    p = p[:15]
    n = p + luhn_digit(p)
    return r.choice([n, " ".join(n[i:i + 4] for i in range(0, 16, 4))]), "credit_card"


def iban():
    raw = iban_il(r.choice(["012", "010", "011", "020"]), d(3, "1234567"), d(7, "123456789"))
    return r.choice([raw, " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))]), "iban"


def bank():
    return f"{r.choice(['12', '10', '11', '20', '31'])}-{d(3, '1234567')}-{d(r.choice([5, 6, 8]), '123456789')}", "bank_account"


def dob():
    dd, mm, yy = r.randint(1, 28), r.randint(1, 12), r.randint(1950, 2010)
    return r.choice([f"{dd}.{mm}.{yy}", f"{dd:02d}-{mm:02d}-{yy}", f"{dd} ב{MONTHS[mm - 1]} {yy}", f"{dd:02d}/{mm:02d}/{yy}"]), "date_of_birth"


def addr():
    s, c, n = r.choice(STREETS), r.choice(CITIES), r.randint(1, 99)
    return r.choice([f"רחוב {s} {n}, {c}", f"{s} {n}, {c}", f"רח' {s} {n} דירה {r.randint(1, 12)}, {c}"]), "address"


def price():
    v = r.choice([120, 380, 990, 2400, 6700, 18000])
    return r.choice([f"₪{v:,}", f"{v:,} ש\"ח", f"{v} שקל"]), None


def date():
    return r.choice([f"{r.randint(1, 28)}.{r.randint(1, 12)}", f"{r.randint(1, 28)}/{r.randint(1, 12)}/26", f"{r.randint(1, 28)} ב{r.choice(MONTHS)}"]), None


def time():
    return f"{r.randint(8, 20)}:{r.choice(['00', '30', '45'])}", None


def num9():
    return g.invalid_9(), None


def good9():
    return g.valid_9_nonzero(), None


def ref():
    return d(r.choice([6, 8, 10]), "123456789"), None


SLOTS = {"NAME": name, "FIRST": lambda: (r.choice(FIRST), "name"), "SURNAME": lambda: (r.choice(LAST), "name"),
         "ID": tz, "PHONE": phone, "EMAIL": email, "CARD": card, "IBAN": iban, "BANK": bank, "DOB": dob,
         "ADDR": addr, "PRICE": price, "DATE": date, "TIME": time, "NUM9": num9, "GOOD9": good9, "REF": ref}

TEMPLATES = [
    "ערב טוב, כאן {NAME} מהתור של 16:00, אני אאחר ברבע שעה",
    "שלום, רציתי לברר אם אפשר לעשות <health:ניקוי אבנית> בזמן <health:הריון>?",
    "הרופאה אמרה שצריך <health:טיפול שורש> ואחר כך <health:כתר>, כמה זה יוצא בערך?",
    "יש לי <health:אסתמה> ואני משתמש ב<health:משאף>, צריך להביא אותו לטיפול?",
    "מרגישה <health:נפיחות> בחניכיים ו<health:כאב> כשאני שותה משהו קר",
    "התקשרתי כמה פעמים, תחזרו אליי בבקשה ל-{PHONE}",
    "הנה הפרטים לפתיחת תיק: שם {NAME}, ת\"ז {ID}, טלפון {PHONE}",
    "תאריך לידה {DOB}, ת.ז. {ID}, קופת חולים מכבי",
    "הבן שלי {FIRST} <health:אובחן> עם <health:אוטיזם> בגיל 3, אתם מטפלים בילדים על הרצף?",
    "אני <health:אחרי כימותרפיה>, האם זה בטוח לעשות <health:עקירה> עכשיו?",
    "לתשלום בהעברה: {BANK} על שם {NAME}",
    "מספר ה-IBAN לזיכוי: {IBAN}",
    "חייבו אותי פעמיים בכרטיס {CARD}, אפשר לבדוק?",
    "עו\"ד {SURNAME} היקר, מצ\"ב חוזה השכירות לעיון, ראה בעיקר סעיף 6.3",
    "שלום, אני גרה ב{ADDR} והשכן עשה נזק לדירה שלי",
    "נא לשלוח את כתב התביעה לכתובת {ADDR}",
    "המייל שלי {EMAIL} ואפשר גם בוואטסאפ",
    "קיבלתי מכם מייל עם הצעת מחיר {PRICE}, מספר הצעה {REF}",
    "התור נקבע ל-{DATE} ב-{TIME}, נא להגיע 10 דקות לפני",
    "מספר המעקב של החבילה הוא {NUM9}",
    "הזמנה {GOOD9} אושרה, סכום {PRICE}",
    "הפגישה הועברה ל-{DATE} בשעה {TIME} בגלל החג",
    "לפי סעיף 3.2 להסכם, תקופת ההודעה המוקדמת היא 30 יום",
    "קוד הכניסה לבניין 4590, קומה 2",
    "מספר הרישום {NUM9} מופיע על האישור",
    "אני סובל מ<health:מיגרנות> ולוקח <health:נורופן>, זה בסדר לפני <health:הרדמה>?",
    "אמא שלי <health:מאושפזת> ב<health:פנימית> ולא תוכל להגיע לדיון",
    "סיכום: <health:דלקת אוזניים>, ניתן <health:מוקסיפן> ל-7 ימים",
    "המטופל {NAME} ({DOB}) הגיע עם <health:שבר> באצבע",
    "נולדתי ב-{DOB} ואני רוצה לבדוק זכאות לפנסיה",
    "פרטי ההתקשרות שלי: {EMAIL}, {PHONE}",
    "לכבוד {NAME}, הנדון: הודעה על סיום העסקה",
    "אני {NAME}, ת\"ז {ID}, מאשר בזאת את העברת המידע",
    "התשלום {PRICE} בוצע בהצלחה, אסמכתא {REF}",
    "הייתי אצל <health:פסיכיאטר> בגלל <health:התקפי פאניקה>, צריך לדווח על זה לביטוח?",
    "שלום, בעלי <health:חולה סוכרת> וצריך תור בבוקר אחרי ארוחה",
    "העובדת {NAME} נעדרה בשל <health:ימי מחלה> בין {DATE} ל-{DATE}",
    "שעות הפעילות: א'-ה' 9:00-19:00, ו' 8:00-12:00",
    "היי {FIRST}, מחכים לך מחר ב-{TIME}",
    "my phone is {PHONE}, email {EMAIL}",
    "Patient: {NAME}, DOB {DOB}",
    "כתובת למשלוח: {ADDR}",
    "טל. בעבודה: {PHONE}",
    "{NUM9} זה מספר הלקוח שלי אצלכם",
]


def main(path: str) -> None:
    rows, seen = [], set()
    for rep in range(7):
        for t in TEMPLATES:
            row = build(t, SLOTS, r, niqqud=0.04, bidi=0.25, typos=0.03, gershayim=0.2)
            if row["text"] not in seen:
                seen.add(row["text"])
                rows.append(row)
    r.shuffle(rows)
    write(path, rows)
    print(len(rows), "rows")


if __name__ == "__main__":
    main(sys.argv[1])
