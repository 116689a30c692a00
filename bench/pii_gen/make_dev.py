"""Writes bench/data/pii_dev.jsonl: the development set (templates, people and phrasing of its own)."""
from __future__ import annotations

import re
import sys

from common import Gen, build, write

g = Gen(20261122)
r = g.r

FIRST = ["דנה", "יוסי", "מיכל", "אבי", "רונית", "משה", "נועה", "איתי", "שירה", "עומר", "מוחמד", "סאמר",
         "אולגה", "דימה", "טליה", "יעל", "אורי", "הילה", "רועי", "ליאת", "אסתר", "יצחק", "לימור", "פאדי"]
LAST = ["כהן", "לוי", "מזרחי", "פרץ", "ביטון", "אגבאריה", "פרידמן", "שפירא", "גולן", "אזולאי", "חדד", "נסאר",
        "רבינוביץ", "אוחיון", "קפלן"]
LATIN_FIRST = ["dana", "yossi", "michal", "avi", "ronit", "moshe", "noa", "itay", "shira", "omer"]
LATIN_LAST = ["cohen", "levi", "mizrahi", "peretz", "biton", "friedman", "shapira", "golan"]
DOMAINS = ["gmail.com", "walla.co.il", "hotmail.com", "yahoo.com", "gmail.co.il", "bezeqint.net", "012.net.il"]
STREETS = ["הרצל", "ביאליק", "ז'בוטינסקי", "הגפן", "רוטשילד", "אחד העם", "ויצמן", "הנביאים", "יפו", "העצמאות",
           "בן יהודה", "הרב קוק", "סוקולוב", "הנשיא"]
CITIES = ["חיפה", "תל אביב", "ירושלים", "רמת גן", "פתח תקווה", "הרצליה", "באר שבע", "נתניה", "קריית אתא",
          "ראשון לציון", "חולון", "כפר סבא", "נצרת", "עפולה"]
MONTHS = ["בינואר", "בפברואר", "במרץ", "באפריל", "במאי", "ביוני", "ביולי", "באוגוסט", "בספטמבר", "באוקטובר",
          "בנובמבר", "בדצמבר"]
DOC_IDS = ["039337423", "000000018", "123456782", "219472156", "335211686"]


def name():
    return (f"{r.choice(FIRST)} {r.choice(LAST)}" if r.random() < 0.75 else r.choice(FIRST)), "name"


def first():
    return r.choice(FIRST), "name"


def surname():
    return r.choice(LAST), "name"


def surname_raw():
    return r.choice(LAST), None


def first_raw():
    return r.choice(FIRST), None


def latin_name():
    return f"{r.choice(LATIN_FIRST).title()} {r.choice(LATIN_LAST).title()}", "name"


def id_():
    k = r.random()
    if k < 0.1:
        return r.choice(DOC_IDS), "id_number"
    if k < 0.2:
        return g.valid_id(eight_digit_form=True), "id_number"
    return g.valid_id(), "id_number"


def id_typo():
    return g.invalid_9(), "id_number"


def email():
    f, l = r.choice(LATIN_FIRST), r.choice(LATIN_LAST)
    local = r.choice([f"{f}.{l}", f"{f}{l}", f"{f}_{l}{r.randint(1, 99)}", f"{f[0]}{l}", f"{f}{r.randint(70, 99)}"])
    return f"{local}@{r.choice(DOMAINS)}", "email"


def dob():
    d, m, y = r.randint(1, 28), r.randint(1, 12), r.randint(1940, 2015)
    k = r.random()
    if k < 0.35:
        return f"{d:02d}/{m:02d}/{y}", "date_of_birth"
    if k < 0.55:
        return f"{d}.{m}.{str(y)[2:]}", "date_of_birth"
    if k < 0.8:
        return f"{d} {MONTHS[m - 1]} {y}", "date_of_birth"
    return f"{d}-{m:02d}-{y}", "date_of_birth"


def addr():
    s, c, n = r.choice(STREETS), r.choice(CITIES), r.randint(1, 140)
    k = r.random()
    if k < 0.3:
        return f"רחוב {s} {n}, {c}", "address"
    if k < 0.5:
        return f"רח' {s} {n} דירה {r.randint(1, 30)}, {c}", "address"
    if k < 0.65:
        return f"שד' {s} {n}, {c}", "address"
    return f"{s} {n}, {c}", "address"


def street_only():
    return f"{r.choice(STREETS)} {r.randint(1, 90)}, {r.choice(CITIES)}", "address"


def city():
    return r.choice(CITIES), "address"


def bank_kw():
    return f"{r.choice(['10', '12', '11', '20'])} סניף {g.digits(3, '123456789')} חשבון {g.digits(6, '123456789')}", "bank_account"


def acct():
    return g.digits(r.choice([6, 7, 9]), "123456789"), "bank_account"


def price():
    v = r.choice([150, 350, 480, 1200, 1800, 2500, 4500, 12000, 350000])
    s = f"{v:,}"
    return r.choice([f"₪{s}", f"{s} ש\"ח", f"{v} שקלים", f"{s} ₪"]), None


def date():
    d, m = r.randint(1, 28), r.randint(1, 12)
    return r.choice([f"{d}/{m}/2026", f"{d:02d}.{m:02d}.26", f"{d}.{m}", f"{d} {r.choice(MONTHS)}"]), None


def time():
    return f"{r.randint(8, 19):02d}:{r.choice(['00', '15', '30', '45'])}", None


def clause():
    return r.choice(["4.2", "7.1", "12.3", "3.1.2", "9", "15.4"]), None


def order():
    return g.digits(r.choice([6, 7, 8, 10]), "123456789"), None


def inv():
    return r.choice([f"2026-{g.digits(5)}", g.digits(7, "123456789"), f"INV-{g.digits(6)}"]), None


def case():
    return f"{g.digits(5, '123456789')}-{r.randint(1, 12):02d}-{r.choice(['24', '25', '26'])}", None


def bad9():
    return g.invalid_9(), None


def good9neg():
    return g.valid_9_nonzero(), None


def code():
    return g.digits(6), None


SLOTS = {
    "NAME": name, "FIRST": first, "SURNAME": surname, "LATINNAME": latin_name, "ID": id_, "ID_TYPO": id_typo,
    "PHONE": lambda: (g.phone(), "phone"), "MOBILE": lambda: (g.mobile(), "phone"),
    "LANDLINE": lambda: (g.landline(), "phone"), "INTL": lambda: (g.intl(), "phone"),
    "VOIP": lambda: (g.voip(), "phone"), "EMAIL": email, "CARD": lambda: (g.card(), "credit_card"),
    "IBAN": lambda: (g.iban(), "iban"), "BANK": lambda: (g.bank_dashed(), "bank_account"), "BANK_KW": bank_kw,
    "ACCT": acct, "DOB": dob, "YEAR": lambda: (str(r.randint(1950, 2005)), "date_of_birth"),
    "ADDR": addr, "STREETONLY": street_only, "CITY": city,
    "PRICE": price, "DATE": date, "TIME": time, "CLAUSE": clause, "ORDER": order, "INV": inv, "CASE": case,
    "BAD9": bad9, "SURNAME_RAW": surname_raw, "FIRST_RAW": first_raw, "GOOD9NEG": good9neg, "CODE": code,
}

TEMPLATES = [
    # Dental clinic, WhatsApp
    "היי, שמי {NAME} ואני רוצה לקבוע תור לבדיקה. הטלפון שלי {MOBILE}",
    "שלום, קוראים לי {NAME}, יש לי <health:כאבים> חזקים בשן האחורית מאתמול, אפשר תור דחוף?",
    "ערב טוב, אני {FIRST}, קבעתי <health:טיפול שורש> ליום {DATE} בשעה {TIME}, אפשר להזיז?",
    "בוקר טוב, ת\"ז {ID}, רציתי לדעת אם הגיעו התוצאות של <health:צילום הרנטגן>",
    "כמה עולה <health:הלבנת שיניים>? ראיתי באתר {PRICE}",
    "הבן שלי {FIRST} צריך <health:סתימה>, הוא בן 8. המספר שלי {MOBILE}",
    "אני <health:בהריון> בחודש החמישי, מותר לעשות <health:צילום שיניים>?",
    "יש לי <health:אלרגיה לפניצילין>, חשוב שהרופא ידע לפני <health:העקירה>",
    "אני לוקח <health:קומדין> בגלל <health:פרפור פרוזדורים>, צריך להפסיק לפני <health:ניקוי אבנית>?",
    "מחירון המרפאה: טיפול שורש {PRICE}, סתימה {PRICE}, ניקוי אבנית {PRICE}",
    "התור שלך נקבע ל-{DATE} בשעה {TIME} אצל ד\"ר {SURNAME}",
    "תזכורת: תור ב-{DATE} בשעה {TIME}. לביטול השיבו 2",
    "היי זה {FIRST} {SURNAME}, הנייד החדש שלי {MOBILE}, תעדכנו בבקשה",
    "ת.ז. {ID}, תאריך לידה {DOB}, אני מטופלת חדשה",
    "שלום, אני {FIRST}, נולדתי ב-{DOB}, רוצה להירשם כמטופלת חדשה במרפאה",
    "המייל שלי הוא {EMAIL}, תשלחו לשם את הקבלה בבקשה",
    "שילמתי {PRICE} בכרטיס אשראי {CARD}, אפשר חשבונית?",
    "<health:החניכיים מדממות> כשאני מצחצח, זה מסוכן?",
    "יש לי <health:סוכרת> ו<health:לחץ דם גבוה>, האם אפשר לעשות <health:שתלים>?",
    "הילדה שלי {FIRST} מפחדת מרופא שיניים, יש לכם טיפול ב<health:גז צחוק>?",
    "מספר הזמנה {ORDER} - המברשות החשמליות יגיעו עד {DATE}",
    "הטלפון במרפאה {LANDLINE}, אפשר גם בוואטסאפ",
    "לקביעת תור: {LANDLINE} או {MOBILE}",
    "אני {FIRST}, <health:שן הבינה> <health:כואבת> לי נורא, יש תור היום?",
    "קיבלתי <health:אנטיביוטיקה> אחרי <health:העקירה> ויש לי <health:פריחה>, מה לעשות?",
    "המספר שלי השתנה ל-{INTL}, אני בחו\"ל עד {DATE}",
    "סליחה על האיחור, אגיע ב-{TIME}",
    "שלום, מה שעות הפעילות ביום ו'? עד {TIME}?",
    # Law firm
    "שלום עו\"ד {SURNAME}, מצרף את ת\"ז שלי {ID} ואת ת\"ז של אשתי {ID}",
    "הכתובת שלי לצורך המכתב: {ADDR}",
    "אני גר ב{ADDR} ויש לי בעיה עם בעל הבית",
    "לגבי התיק, מספר תיק {CASE}, הדיון נקבע ל-{DATE} בשעה {TIME}",
    "סעיף {CLAUSE} בחוזה קובע קנס של {PRICE}, זה חוקי?",
    "אפשר להעביר את שכר הטרחה לחשבון {BANK}?",
    "פרטי החשבון להעברה: בנק {BANK_KW}",
    "IBAN: {IBAN}, על שם {NAME}",
    "חשבונית מס' {INV} על סך {PRICE} נשלחה אליך במייל",
    "הלקוח {NAME}, ת.ז {ID}, מבקש לדחות את הדיון",
    "מצ\"ב ייפוי כוח חתום. שמי המלא {NAME}, טלפון {PHONE}",
    "אני נמצאת <health:בטיפול פסיכיאטרי> בגלל <health:דיכאון>, זה ישפיע על הגירושין?",
    "בעלי <health:אובחן עם סרטן> לפני שנה, אנחנו רוצים לעשות צוואה",
    "הייתי <health:מאושפז> שבועיים אחרי התאונה, מגיעים לי <health:אחוזי נכות>?",
    "סכום הפיצוי שנקבע הוא {PRICE}, ישולם תוך 30 יום לפי סעיף {CLAUSE}",
    "מספר אסמכתא להעברה {ORDER}",
    "ת\"ז: {ID_TYPO} (אם לא עובר תבדקו שוב, אולי טעיתי בספרה)",
    "ערב טוב, מספר הזהות שלי {ID} והנייד {MOBILE}, אשמח שתחזרו אליי",
    "מס' ת\"ז {ID}, נולד {DOB}, גר ב{CITY}",
    # Contracts
    "הסכם זה נחתם ביום {DATE} בין {NAME}, ת\"ז {ID}, מרחוב {STREETONLY}, לבין {NAME}, ת\"ז {ID}",
    "{CLAUSE} השוכר ישלם דמי שכירות חודשיים בסך {PRICE} עד ה-10 בכל חודש.",
    "{CLAUSE} התשלום יבוצע בהעברה בנקאית לחשבון מס' {ACCT} בבנק לאומי סניף 612.",
    "המוכר: {NAME}, ת.ז. {ID}, כתובת: {ADDR}, טלפון: {PHONE}",
    "לכבוד {NAME}, {ADDR}",
    "תקופת השכירות תחל ביום {DATE} ותסתיים ביום {DATE}.",
    "הערבות תעמוד על {PRICE} ותוחזר תוך 14 יום מתום ההסכם, בכפוף לסעיף {CLAUSE}.",
    "מר {NAME} (להלן: \"המוכר\") מצהיר כי הנכס ברחוב {STREETONLY} נקי מכל שעבוד",
    "חתימה: ____ שם: {NAME} ת\"ז: {ID} תאריך: {DATE}",
    "{CLAUSE} הצדדים מסכימים כי כל הודעה תישלח לכתובת הדוא\"ל {EMAIL}",
    # Clinic notes
    "המטופלת {NAME}, בת 34, <health:בהריון> שבוע 20, מתלוננת על <health:רגישות בשיניים>.",
    "אנמנזה: <health:סוכרת סוג 2>, <health:יתר לחץ דם>, נוטל <health:מטפורמין> ו<health:ליפיטור>.",
    "תאריך לידה: {DOB}. רגישות ל<health:אמוקסיצילין>. ללא <health:מחלות רקע>.",
    "בוצעה <health:עקירה> של שן 38, ניתנה <health:הרדמה מקומית>, מומלץ <health:אקמול> לפי הצורך.",
    "המטופל {NAME} דיווח על <health:התקפי חרדה> לפני טיפולים, הומלץ על <health:טיפול בהרגעה>.",
    "ביקורת אחרי <health:שתל> - ללא <health:דלקת>, החלמה תקינה.",
    "הפניה ל<health:צילום פנורמי> ול<health:בדיקות דם> לפני <health:הניתוח>.",
    "המטופל <health:אלרגי> ל<health:פניצילין>, נוטל <health:אליקוויס>.",
    "סיכום ביקור {DATE}: <health:עששת> בשן 16, נקבעה <health:סתימה> לשבוע הבא.",
    "מטופלת עם <health:אסתמה>, משתמשת ב<health:ונטולין> לפי הצורך. טלפון לחירום: {MOBILE}",
    # General negatives
    "ההזמנה שלך {ORDER} יצאה למשלוח, מספר מעקב {ORDER}",
    "המבצע בתוקף עד {DATE}: {PRICE} במקום {PRICE}",
    "נפגשים ב-{TIME} בקפה ליד המשרד",
    "הקוד שלך לאימות הוא {CODE}",
    "המספר {BAD9} לא מופיע אצלנו במערכת",
    "עדכון: המשלוח {GOOD9NEG} יגיע מחר",
    "סה\"כ לתשלום: {PRICE} (כולל מע\"מ 17%)",
    "שעות קבלה: א'-ה' 08:00-18:00, ו' 08:00-13:00",
    "ראה סעיף {CLAUSE} ו-{CLAUSE} להלן",
    "נתראה ב-{DATE}, תודה רבה!",
    "מספר לקוח {BAD9}, מספר פוליסה {ORDER}",
    "חשבונית {GOOD9NEG} שולמה בתאריך {DATE}",
    "אסמכתא {BAD9} - ההעברה בוצעה בהצלחה",
    "{BAD9}",
    # Mixed
    "כרטיס: {CARD} תוקף 08/27",
    "הפרטים שלי: {NAME}, {EMAIL}, {MOBILE}",
    "{FIRST} כאן, תתקשרו אליי ל-{PHONE} אחרי {TIME}",
    "אפשר לשלוח את המסמכים ל-{EMAIL} או בפקס {LANDLINE}",
    "בעלי {FIRST} יגיע במקומי, הת\"ז שלו {ID}",
    "יש לי <health:סכרת> ואני מזריקה <health:אינסולין> 3 פעמים ביום",
    "אני עם <health:דלקת חניכיים> ו<health:נפיחות> בלחי",
    "My name is {LATINNAME}, phone {INTL}",
    "hi, זה {FIRST}, my email: {EMAIL}",
    "מספר ה-VoIP של המשרד {VOIP}",
    "אני יליד {YEAR}, גר ב{ADDR}",
    "תחזרו אליי למספר {PHONE} בבקשה, זה בקשר ל<health:כתר> שהתפרק",
    # Added in round two: party labels, family, names that are also words, injuries and symptoms
    "השוכרת: {NAME}, ת\"ז {ID}, טלפון נייד {MOBILE}",
    "בעלת החשבון: {NAME}, חשבון מס' {ACCT} בבנק דיסקונט",
    "פרטי המטופלת: {NAME}, גיל 41, <health:כאבי גב> כרוניים",
    "איש קשר: {NAME}, {LANDLINE}",
    "אני <name:שחר>, אני שמחה להצטרף למרפאה",
    "אני <name:קרן {SURNAME_RAW}>, רציתי לבדוק לגבי הדיון מחר",
    "אני שמחה שהתור הוקדם, תודה!",
    "אני בן 52 ו<health:נפצעתי> בעבודה, מגיע לי פיצוי?",
    "אחרי התאונה נשארו לי <health:תפרים> ו<health:זעזוע מוח> קל",
    "הוא <health:נפצע> בתאונת דרכים ותובע על <health:נזקי גוף>",
    "השן <health:מודלקת> מאז הטיפול ויש לי <health:חום> קל",
    "הבת שלי <health:עם חום> של 39, נבטל את התור",
    "אחי <name:{FIRST_RAW}> יבוא לאסוף את המסמכים",
    "משלוח המסמכים: {STREETONLY}",
]


def main(path: str) -> None:
    rows = []
    seen = set()
    for rep in range(8):
        for t in TEMPLATES:
            if rep >= 6 and r.random() < 0.5:
                continue
            t = re.sub(r"\{(\w+_RAW)\}", lambda m: SLOTS[m.group(1)]()[0], t)
            row = build(t, SLOTS, r, niqqud=0.05, bidi=0.25, typos=0.03, gershayim=0.2)
            if row["text"] in seen:
                continue
            seen.add(row["text"])
            rows.append(row)
    r.shuffle(rows)
    write(path, rows)
    print(len(rows), "rows")


if __name__ == "__main__":
    main(sys.argv[1])
