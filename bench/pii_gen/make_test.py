"""Writes bench/data/pii_test.jsonl: the held-out set. Own templates, people, value formats and phrasing;
written before the detector was tuned on the dev set, and not used for tuning."""
from __future__ import annotations

import sys

from common import Gen, build, id_check_digit, luhn_digit, iban_il, write

g = Gen(7777)
r = g.r

FIRST = ["רותם", "עידו", "מאיה", "נדב", "תמר", "אלון", "ענבל", "גלעד", "אביגיל", "יונתן", "חנה", "אחמד", "רים",
         "סבטלנה", "ולדימיר", "שחר", "אורטל", "עדן", "יהודית", "נתנאל", "מירב", "ברק", "קרן", "אליהו", "ג'ני"]
LAST = ["אברהמי", "בן חיים", "גבאי", "דוידוב", "וקנין", "זכאי", "טייב", "יעקובי", "מלכה", "נחמיאס", "סלים",
        "עזרא", "פישר", "צור", "קליין", "רוזן", "שטרית", "תורג'מן", "חורי", "מנסור"]
LAT = [("Noa", "Amar"), ("Eitan", "Katz"), ("Yael", "Ben Ami"), ("Ahmad", "Khoury"), ("Tamar", "Segal"),
       ("Gil", "Peleg")]
STREETS = ["אלנבי", "דיזנגוף", "המלך ג'ורג'", "קק\"ל", "הפלמ\"ח", "הזית", "התאנה", "משה שרת", "עמק רפאים",
           "החשמונאים", "מבצע קדש", "הדקל", "קרן היסוד", "שבזי"]
CITIES = ["ירושלים", "תל אביב-יפו", "אשדוד", "רחובות", "מודיעין", "בת ים", "גבעתיים", "טבריה", "אילת",
          "רעננה", "הוד השרון", "קריית שמונה", "אום אל-פחם", "יקנעם", "מעלות-תרשיחא", "צור הדסה"]
HMONTHS = ["ינואר", "פברואר", "מרץ", "אפריל", "מאי", "יוני", "יולי", "אוגוסט", "ספטמבר", "אוקטובר", "נובמבר", "דצמבר"]


def d(n, first="0123456789"):
    return g.digits(n, first)


def name():
    k = r.random()
    if k < 0.7:
        return f"{r.choice(FIRST)} {r.choice(LAST)}", "name"
    return r.choice(FIRST), "name"


def first():
    return r.choice(FIRST), "name"


def surname():
    return r.choice(LAST), "name"


def latin():
    f, l = r.choice(LAT)
    return f"{f} {l}", "name"


def tz():
    body = d(8, "0123")
    return body + id_check_digit(body), "id_number"


def tz8():
    body = "0" + d(7, "123456789")
    return (body + id_check_digit(body))[1:], "id_number"


def mobile():
    p = "05" + r.choice("2345890")
    n = d(7)
    return r.choice([f"{p}-{n}", f"{p}-{n[:3]}-{n[3:]}", f"{p} {n[:3]} {n[3:]}", f"{p}{n}", f"{p}-{n}"]), "phone"


def mobile_nosep():
    return "05" + r.choice("2345") + d(7), "phone"


def landline():
    p = "0" + r.choice("23489")
    n = d(7, "5689")
    return r.choice([f"{p}-{n}", f"{p}-{n[:3]}-{n[3:]}", f"({p}) {n}", f"{p} {n}"]), "phone"


def landline_nosep():
    return "0" + r.choice("23489") + d(7, "5689"), "phone"


def any_phone():
    k = r.random()
    if k < 0.45:
        return mobile()
    if k < 0.7:
        return landline()
    if k < 0.8:
        p = "07" + r.choice("2347")
        n = d(7)
        return r.choice([f"{p}-{n}", f"{p}{n}"]), "phone"
    if k < 0.95:
        return intl()
    n = "1" + d(6)
    return f"050-{n}", "phone"  # unassigned range, still a phone


def intl():
    a = r.choice(["52", "54", "50", "3", "4", "8", "72"])
    n = d(7)
    return r.choice([f"+972 {a}-{n}", f"+972-{a}-{n[:3]}-{n[3:]}", f"00972{a}{n}", f"+972{a}{n}",
                     f"972-{a}-{n}"]), "phone"


def email():
    f, l = r.choice(LAT)
    f, l = f.lower(), l.lower().replace(" ", "")
    dom = r.choice(["gmail.com", "walla.com", "outlook.co.il", "netvision.net.il", "icloud.com", "law-firm.co.il"])
    return r.choice([f"{f}.{l}@{dom}", f"{f}{r.randint(1, 999)}@{dom}", f"{l}.{f[0]}@{dom}", f"{f}-{l}@{dom}"]), "email"


def card():
    k = r.random()
    if k < 0.5:
        p = "4" + d(14)
    elif k < 0.8:
        p = "5" + r.choice("1345") + d(13)
    else:
        p = r.choice(["34", "37"]) + d(12)
    n = p + luhn_digit(p)
    if len(n) == 16:
        return r.choice([" ".join(n[i:i + 4] for i in range(0, 16, 4)), n, "-".join(n[i:i + 4] for i in range(0, 16, 4))]), "credit_card"
    return f"{n[:4]} {n[4:10]} {n[10:]}", "credit_card"


def iban():
    raw = iban_il(r.choice(["012", "010", "020", "011", "031"]), d(3, "1234567"), d(r.choice([6, 8]), "123456789"))
    return r.choice([raw, " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))]), "iban"


def bank():
    return f"{r.choice(['12', '10', '20', '11', '31', '09'])}-{d(3, '1234567')}-{d(r.choice([6, 7, 9]), '123456789')}", "bank_account"


def acct():
    return d(r.choice([6, 8]), "123456789"), "bank_account"


def branch3():
    return d(3, "123456789"), None


def dob():
    dd, mm, yy = r.randint(1, 28), r.randint(1, 12), r.randint(1945, 2012)
    return r.choice([f"{dd}.{mm}.{yy}", f"{dd:02d}/{mm:02d}/{str(yy)[2:]}", f"{dd}/{mm}/{yy}"]), "date_of_birth"


def dobtext():
    dd, mm, yy = r.randint(1, 28), r.randint(1, 12), r.randint(1945, 2012)
    return r.choice([f"{dd} ב{HMONTHS[mm - 1]} {yy}", f"{dd} ל{HMONTHS[mm - 1]} {yy}", f"{HMONTHS[mm - 1]} {yy}"]), "date_of_birth"


def dobnum():
    dd, mm, yy = r.randint(1, 28), r.randint(1, 12), r.randint(1950, 2005)
    return f"{dd:02d}/{mm:02d}/{yy}", "date_of_birth"


def year():
    return str(r.randint(1948, 2004)), "date_of_birth"


def addr():
    s, c, n = r.choice(STREETS), r.choice(CITIES), r.randint(2, 210)
    return r.choice([f"{s} {n}, {c}", f"רחוב {s} {n}/{r.randint(1, 20)}, {c}", f"רח' {s} {n}, {c}",
                     f"{s} {n} {c}", f"שדרות {s} {n}, {c}"]), "address"


def addr2():
    s, c, n = r.choice(STREETS), r.choice(CITIES), r.randint(2, 80)
    return r.choice([f"רחוב {s} מס' {n}, {c}", f"{s} {n}, דירה {r.randint(1, 40)}, {c}", f"ת.ד. {d(4, '123456789')}, {c}",
                     f"{s} {n}, {c}, מיקוד {d(7, '123456789')}"]), "address"


def price():
    v = r.choice([90, 250, 640, 1500, 2900, 7800, 15000, 1250000])
    return r.choice([f"{v:,} ש\"ח", f"₪{v:,}", f"{v:,} שח", f"{v:,} ₪", f"{v} ש״ח"]), None


def date():
    dd, mm = r.randint(1, 28), r.randint(1, 12)
    return r.choice([f"{dd}.{mm}.2026", f"{dd:02d}/{mm:02d}/2025", f"{dd}/{mm}", f"{dd} ב{HMONTHS[mm - 1]}"]), None


def time():
    return f"{r.randint(7, 20)}:{r.choice(['00', '10', '30', '50'])}", None


def clause():
    return r.choice(["2.1", "5.3", "8.4.1", "11", "6.2", "14.7"]), None


def order():
    return d(r.choice([5, 7, 9, 11]), "123456789"), None


def inv():
    return r.choice([f"{d(4, '123456789')}/{d(2)}", d(8, "123456789"), f"A-{d(7)}"]), None


def case():
    return f"{d(5, '123456789')}-{r.randint(1, 12):02d}-{r.choice(['23', '24', '25'])}", None


def bad9():
    return g.invalid_9("123456789"), None


def good9neg():
    return g.valid_9_nonzero(), None


def code():
    return d(r.choice([4, 5, 6])), None


SLOTS = {
    "NAME": name, "FIRST": first, "SURNAME": surname, "LATINNAME": latin, "ID": tz, "ID8": tz8,
    "PHONE": any_phone, "MOBILE": mobile, "MOBILE_NOSEP": mobile_nosep, "LANDLINE": landline,
    "LANDLINE_NOSEP": landline_nosep, "INTL": intl, "EMAIL": email, "CARD": card, "IBAN": iban, "BANK": bank,
    "ACCT": acct, "BRANCH3": branch3, "DOB": dob, "DOBTEXT": dobtext, "DOBNUM": dobnum, "YEAR": year,
    "ADDR": addr, "ADDR2": addr2, "PRICE": price, "DATE": date, "TIME": time, "CLAUSE": clause, "ORDER": order,
    "INV": inv, "CASE": case, "BAD9": bad9, "GOOD9NEG": good9neg, "CODE": code,
}

TEMPLATES = [
    # Clinic WhatsApp (dental, physio)
    "הי, כאן {NAME}. אפשר לבדוק מתי יש תור פנוי לשיננית? אפשר לחזור אליי ל-{PHONE}",
    "אהלן, זו {FIRST}, <health:הכתר> שהתקינו לי התנדנד ו<health:כואב לי> כשאני לועסת",
    "מה המחיר של <health:יישור שיניים> שקוף למבוגרים?",
    "שלום רב, אני אחרי <health:ניתוח לב פתוח> ולוקח <health:מדללי דם>, צריך אישור מ<health:הקרדיולוג> לפני הטיפול?",
    "יש לי <health:רגישות לקור> בשן קדמית כבר שבוע",
    "לבת שלי {FIRST} יש <health:שן קדמית שבורה> אחרי נפילה בגן, אפשר להגיע עכשיו?",
    "תגידו, ה<health:שתל> שלי <health:מודלק> ויש <health:מוגלה>, זה דחוף?",
    "אני <health:בשבוע 30 להריון>, מותר לקבל <health:הרדמה> אצל רופא שיניים?",
    "מספר הנייד שלי {MOBILE} ות\"ז {ID}, תרשמו אותי בבקשה",
    "הי, רציתי לבטל את התור של יום שלישי ב-{TIME}, תודה",
    "קיבלתי הודעה על תור ב-{DATE} ב-{TIME} אבל לא קבעתי כלום",
    "הפרטים לתיק: {NAME}, ת.ז. {ID}, נייד {MOBILE}, מייל {EMAIL}",
    "אני {FIRST} {SURNAME}, יש לי <health:חרדה> מטיפולי שיניים, אפשר לעשות את זה ב<health:הרדמה כללית>?",
    "אבא שלי בן 80 עם <health:אלצהיימר>, אפשר שאני אבוא איתו לתור?",
    "תודה רבה, התשלום של {PRICE} עבר, מספר עסקה {ORDER}",
    "שלחתי לכם את הטפסים מהמייל {EMAIL}, תאשרו שהגיע",
    "כמה זמן צריך לצום לפני <health:עקירת שן בינה> בהרדמה?",
    "<health:הפיזיותרפיסטית> אמרה שיש לי <health:פריצת דיסק>, מתי אפשר להתחיל?",
    "בוקר טוב! אני {FIRST}, בטלפון {LANDLINE}, מחפשת תור אחה\"צ",
    "שלום, אני לוקחת <health:כדורים נגד לחץ דם> ו<health:ציפרלקס>, זה משנה משהו לטיפול?",
    "הילד <health:חולה> עם <health:חום> מאתמול, נצטרך לדחות את התור של מחר",
    # Law firm
    "עו\"ד {SURNAME} שלום, המעסיק שלי פיטר אותי אחרי שסיפרתי שאני <health:בהיריון>, מה הזכויות שלי?",
    "פוטרתי כשהייתי ב<health:חופשת מחלה> של חודש בגלל <health:ניתוח בברך>",
    "שלום, מצורף צילום ת.ז. ({ID}) וספח, הכתובת בספח היא {ADDR}",
    "הגרוש שלי {NAME} לא משלם מזונות כבר 4 חודשים, מספר התיק {CASE}",
    "ביום {DATE} התקבל פסק הדין, יש 45 יום להגיש ערעור",
    "שכר הטרחה {PRICE} + מע\"מ, ישולם ב-3 תשלומים",
    "ההעברה תתבצע לבנק מזרחי טפחות, סניף {BRANCH3}, מספר חשבון {ACCT}",
    "לתשומת לבך, ה-IBAN שלי: {IBAN}",
    "אפשר לשלוח את המסמכים המקוריים לכתובת {ADDR2}?",
    "אני {NAME}, נולדתי ב{DOBTEXT}, ורציתי לשאול על ירושה מאבי ז\"ל",
    "פרטי המנוח: {NAME}, ת\"ז {ID}, תאריך פטירה {DATE}",
    "ב-{DATE} קיבלתי מכתב התראה על חוב של {PRICE}, מספר לקוח {BAD9}",
    "כתב התביעה הוגש נגד חברת הביטוח, פוליסה {ORDER}, בגין <health:פגיעה בגב> בתאונת עבודה",
    "הבן שלי <health:אובחן> עם <health:ADHD> ומקבל <health:ריטלין>, רוצים לדעת לגבי <health:ועדה רפואית> בצבא",
    "מצורף <health:אישור רפואי> על <health:דיכאון אחרי לידה> לדיון בבית הדין",
    "מספר ח.פ. של החברה {GOOD9NEG}, הכתובת הרשומה בהרצליה",
    "היי, הטלפון של המשרד לא עונה, זה המספר הנכון? {LANDLINE}",
    "אשתי {FIRST} ואני רוצים לעשות הסכם ממון לפני החתונה, הת.ז. שלה {ID}",
    "אני {FIRST}, עברתי <health:ניתוח> ולא יכולתי להגיע לדיון, יש לי <health:מכתב שחרור מבית החולים>",
    # Contracts
    "הסכם העסקה בין חברת אלפא בע\"מ, ח.פ. {GOOD9NEG}, לבין {NAME}, נושא/ת ת.ז. מס' {ID}, מ{ADDR}",
    "5.3 העובד יהיה זכאי ל-12 ימי חופשה בשנה ולדמי הבראה לפי הדין.",
    "7. שכר: {PRICE} ברוטו לחודש, ישולם עד ה-9 לכל חודש לחשבון הבנק של העובד: {BANK}",
    "הלווה: {NAME}, ת\"ז {ID}; המלווה: {NAME}, ת\"ז {ID}; סכום ההלוואה: {PRICE}",
    "נספח ב' - פרטי התקשרות: טל' {PHONE}, דוא\"ל {EMAIL}",
    "השוכר מתחייב לשלם את חשבונות החשמל, המים והארנונה כאמור בסעיף {CLAUSE}.",
    "המשכיר: {NAME}, יליד {YEAR}, המתגורר ב{ADDR}",
    "מועד המסירה: {DATE} בשעה {TIME} בנכס.",
    "כרטיס אשראי לחיוב (ויזה): {CARD}, בעל הכרטיס: {NAME}",
    "קנס איחור יעמוד על 2% לחודש, ולא יותר מ-{PRICE}.",
    "{CLAUSE} כל שינוי בהסכם זה ייעשה בכתב ובחתימת שני הצדדים.",
    "ולראיה באו הצדדים על החתום: ____________ {NAME}, ת\"ז {ID8}",
    # Clinic notes
    "סיכום ביקור: מטופל בן 52, <health:סוכרתי>, <health:HbA1c> 8.1, הוחלט להעלות מינון <health:מטפורמין>.",
    "המטופלת {NAME}, ת\"ז {ID}, <health:לחץ דם> 150/95, הומלץ על מעקב",
    "רקע: <health:תת פעילות של בלוטת התריס>, מטופלת ב<health:אלטרוקסין>.",
    "תלונה עיקרית: <health:כאבי ראש> ו<health:סחרחורות> מזה שבועיים.",
    "הופנה ל<health:MRI> של עמוד שדרה מותני. תור ב-{DATE}.",
    "<health:בדיקת סוכר בצום> 126, יש לחזור על הבדיקה.",
    "ממצאים: <health:עששת עמוקה> בשן 46, נדרש <health:טיפול שורש>, <health:כתר> זמני הותקן.",
    "היסטוריה: <health:ניסיון אובדני> ב-2019, בטיפול אצל <health:פסיכולוגית>.",
    "<health:חיסון שפעת> ניתן היום, מנה שנייה בעוד חודש.",
    "פרטי מטופל: {NAME}, ת. לידה {DOB}, כתובת {ADDR}, טל' {PHONE}",
    "המטופל עבר <health:צנתור> לפני 3 שנים, נוטל <health:אספירין> ו<health:סטטינים>.",
    "<health:טיפולי הפריה> - מחזור שלישי, <health:בדיקת הריון> בעוד שבועיים.",
    "המטופל {NAME} מגיע עם <health:כאב> בלסת ו<health:נפיחות>, הומלץ על <health:אנטיביוטיקה>",
    "תאריך הלידה של המטופלת {DOB}, <health:רגישה לאקמול>",
    # Customer service / general (mostly negatives)
    "מספר ההזמנה שלך: {GOOD9NEG}. אנא שמור אותו לצורך מעקב.",
    "החבילה תגיע בין {TIME} ל-{TIME}, קוד איסוף {CODE}",
    "המחיר {PRICE} לא כולל משלוח, 10% הנחה בקנייה שנייה",
    "ביום {DATE} המשרד סגור בגלל החג",
    "חשבונית מס קבלה מספר {INV}",
    "ראיתי בסעיף {CLAUSE} שכתוב 30 יום, אבל בסעיף {CLAUSE} כתוב 14",
    "היום ה-{DATE}, יום השנה ה-12 למשרד!",
    "מספר סידורי של המכשיר {BAD9}",
    "{BAD9} זה מה שכתוב על הקבלה",
    "שעה {TIME}, חדר 204, קומה 3",
    "נולד לנו בן! מזל טוב לכולנו",
    "ההנחה בתוקף עד {DATE} או עד גמר המלאי, מוגבל ל-2 יחידות",
    "זמן ההמתנה הממוצע הוא 12 דקות, אתם במקום ה-{CODE} בתור",
    "העברתי {PRICE}, אסמכתא {BAD9}",
    "מדיניות הפרטיות שלנו: מידע רפואי נשמר בהצפנה ונמחק לפי דרישה.",
    "מחירון: טיפול שורש {PRICE}, עקירה {PRICE}, שתל כולל כתר {PRICE}",
    # Mixed and English
    "Hi, this is {LATINNAME}, please call me back at {INTL}",
    "email: {EMAIL} | tel: {PHONE}",
    "my ID is {ID} and DOB {DOBNUM}",
    "פרטי אשראי: {CARD} 12/28 cvv 123",
    "שלחו לי בוואטסאפ ל{MOBILE_NOSEP}",
    "{IBAN} - זה החשבון שלי להחזר",
    "ת.ז: {ID8}",
    "טלפון בבית: {LANDLINE_NOSEP}",
    "נא לא לפרסם: {NAME}, {ADDR}, {PHONE}",
    "מספר הזהות {ID} שייך לאמא שלי {NAME}",
    "תאריך הלידה של הבן שלי הוא {DOB}",
]


def main(path: str) -> None:
    rows = []
    seen = set()
    for rep in range(7):
        for t in TEMPLATES:
            if rep >= 5 and r.random() < 0.6:
                continue
            row = build(t, SLOTS, r, niqqud=0.04, bidi=0.3, typos=0.04, gershayim=0.25)
            if row["text"] not in seen:
                seen.add(row["text"])
                rows.append(row)
    r.shuffle(rows)
    write(path, rows)
    print(len(rows), "rows")


if __name__ == "__main__":
    main(sys.argv[1])
