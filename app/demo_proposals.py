"""Demo proposals for the open Astana process: residents, proposals in Kazakh and Russian,
supports, a discussion with stances, reviews and one merge.

Everything goes through the real services (so the timeline and notifications are written as in
real use); only the dates are spread afterwards over the days the proposals phase has been open.
Idempotent: nothing is done when the open process already has proposals. Deterministic: one
``random.Random(2026)`` drives every choice.
"""
import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, text, update
from werkzeug.security import generate_password_hash

from app.core.clock import utcnow
from app.core.errors import ServiceError
from app.extensions import db
from app.identity.iin import make_iin
from app.models import (
    Area,
    Budget,
    Comment,
    Process,
    Proposal,
    ProposalEvent,
    Support,
    User,
)
from app.proposals import comments as comment_service
from app.proposals import review as review_service
from app.proposals import services as proposal_service

DISTRICTS = ["Almaty district", "Baikonur district", "Esil district", "Nura district", "Saryarka district"]
OKRUGS_PER_DISTRICT = 3
RESIDENTS = 60
RESIDENT_EMAIL = "resident.{n}@demo.qatysu.kz"

# --- people ---------------------------------------------------------------------------------

KK_MEN = ["Ерлан", "Асқар", "Бауыржан", "Нұрсұлтан", "Дәурен", "Арман", "Ғалымжан", "Талғат", "Мұрат",
          "Жандос", "Әділет", "Серік", "Қайрат", "Ержан", "Бекзат"]
KK_WOMEN = ["Әйгерім", "Гүлмира", "Жанар", "Динара", "Салтанат", "Меруерт", "Айжан", "Ботагөз", "Назерке",
            "Гүлнұр", "Ақмарал", "Сәуле", "Индира", "Толғанай", "Аружан"]
KK_SURNAMES = ["Әбдірахманов", "Серікбаев", "Жұмабеков", "Тоқтаров", "Қасымов", "Нұрланов", "Сейітов",
               "Ахметов", "Бекмұханов", "Құдайбергенов", "Омаров", "Исабеков", "Мұратбеков", "Садықов"]
RU_MEN = ["Андрей", "Сергей", "Дмитрий", "Алексей", "Виктор", "Игорь", "Павел", "Олег", "Николай", "Роман"]
RU_WOMEN = ["Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Марина", "Анна", "Юлия", "Людмила"]
RU_SURNAMES = ["Иванов", "Ковалев", "Ким", "Шевченко", "Попов", "Лебедев", "Морозов", "Гончаренко",
               "Соколов", "Пак", "Федоров", "Волков"]


def _feminine(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ин")):
        return surname + "а"
    return surname  # Ким, Пак, Шевченко, Гончаренко


def _resident_profile(rng: random.Random, n: int) -> tuple[str, str, str, date]:
    """(full name, sex, locale, birth date) for demo resident ``n``."""
    russian = rng.random() < 0.4
    female = rng.random() < 0.5
    if russian:
        first = rng.choice(RU_WOMEN if female else RU_MEN)
        last = rng.choice(RU_SURNAMES)
    else:
        first = rng.choice(KK_WOMEN if female else KK_MEN)
        last = rng.choice(KK_SURNAMES)
    if female:
        last = _feminine(last)
    born = date(1952, 1, 1) + timedelta(days=rng.randrange(0, 365 * 52))  # 22 to 74 years old
    return f"{first} {last}", ("female" if female else "male"), ("ru" if russian else "kk"), born


def _okrug_keys(district: str) -> list[str]:
    first = DISTRICTS.index(district) * OKRUGS_PER_DISTRICT + 1
    return [f"{district} / okrug {n}" for n in range(first, first + OKRUGS_PER_DISTRICT)]


def _load_residents(rng: random.Random, areas: dict[str, Area]) -> dict[str, list[User]]:
    """The demo residents by district, created once (looked up by email afterwards)."""
    from app.demo import DEMO_PASSWORD  # here: app.demo imports this module

    password_hash = generate_password_hash(DEMO_PASSWORD)  # once: hashing is slow on purpose
    okrugs = [key for district in DISTRICTS for key in _okrug_keys(district)]
    by_district: dict[str, list[User]] = {d: [] for d in DISTRICTS}
    for n in range(1, RESIDENTS + 1):
        name, sex, locale, born = _resident_profile(rng, n)  # drawn even when the user exists
        email = RESIDENT_EMAIL.format(n=n)
        home_key = okrugs[(n - 1) % len(okrugs)]
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=name, iin=make_iin(born, sex, 3000 + n * 100),
                        home_area=areas[home_key], locale=locale, password_hash=password_hash,
                        verification_method="iin-declared", verified_at=utcnow())
            db.session.add(user)
        by_district[home_key.split(" / ")[0]].append(user)
    db.session.flush()
    return by_district


# --- what residents write ---------------------------------------------------------------------

@dataclass
class Idea:
    key: str  # for reviews, merges and the demo resident's proposals
    district: str
    lang: str  # "kk" | "ru"
    category: str
    title: str
    address: str
    cost: int
    lead: str  # the resident's own first paragraph


IDEAS = [
    # Almaty district
    Idea("alm-playground", "Almaty district", "kk", "playgrounds",
         "Момышұлы даңғылы, 14 үй ауласына балалар алаңы",
         "Бауыржан Момышұлы даңғылы, 14 үй ауласы", 12_400_000,
         "Біздің аулада 300-ден астам пәтер бар, ал балалар алаңы 2009 жылы салынған. Әткеншектің "
         "шынжыры үзілген, сырғанақтың темірі тот басып, шеттері өткір болып қалған. Балалар "
         "автотұраққа шығып ойнайды, бұл қауіпті."),
    Idea("alm-ramp", "Almaty district", "ru", "sidewalks",
         "Пандусы у поликлиники № 4 и аптек на Тауелсиздик",
         "проспект Тауелсиздик, 21 — вход в поликлинику № 4", 3_800_000,
         "У входа в поликлинику № 4 пять ступенек и нет пандуса. Мамы с колясками и пожилые люди "
         "на колясках ждут, пока кто-нибудь поможет их поднять. Рядом две аптеки с такими же "
         "высокими крыльцами."),
    Idea("alm-aryk", "Almaty district", "kk", "aryks",
         "Жұбанов көшесі бойындағы арықтарды тазалау және жабу",
         "Ахмет Жұбанов көшесі, 3–15 үйлер аралығы", 8_900_000,
         "Көктемде қар еріген кезде Жұбанов көшесіндегі арықтар бітеліп, су тротуарға шығады. "
         "Арықтың бір бөлігі ашық, түнде адамдар құлап жарақат алған жағдайлар болды."),
    Idea("alm-lighting", "Almaty district", "ru", "lighting",
         "Освещение пешеходной дорожки вдоль реки Акбулак",
         "набережная Акбулака между ул. Шакарима и пр. Момышулы", 14_600_000,
         "Вдоль Акбулака удобная дорожка к школе № 72 и к остановке, но после шести вечера зимой "
         "там полная темнота. Родители не отпускают детей этим путём, а взрослые ходят с фонариками "
         "телефонов."),
    Idea("alm-greening", "Almaty district", "kk", "greening",
         "Шәкәрім даңғылы, 27 үй маңында ағаш отырғызу",
         "Шәкәрім Құдайбердіұлы даңғылы, 27 үй", 5_200_000,
         "Үйдің оңтүстік жағында бір де ағаш жоқ, жазда балкондар қатты қызып кетеді. Тұрғындар "
         "өздері суару мен күтімге көмектесуге дайын, ОСИ да келісті."),
    Idea("alm-benches", "Almaty district", "ru", "benches_bins",
         "Скамейки и урны в сквере у школы № 62",
         "ул. Рыскулбекова, сквер у школы № 62", 2_700_000,
         "В сквере у школы № 62 всего две скамейки, и обе сломаны. Родители ждут детей после "
         "продлёнки стоя, а мусор ветер разносит по всему скверу, потому что урн нет вообще."),
    Idea("alm-dump", "Almaty district", "kk", "dumps",
         "Қошқарбаев даңғылы маңындағы заңсыз қоқыс үйіндісін жою",
         "Рахымжан Қошқарбаев даңғылы, гараждар артындағы бос жер", 4_300_000,
         "Гараждардың артындағы бос жерге жылдар бойы құрылыс қалдықтары мен ескі жиһаз тасталып "
         "келеді. Жазда иіс шығады, егеуқұйрықтар көбейді. Бірнеше рет 109-ға хабарластық, бір рет "
         "тазаланды да, қайтадан толды."),
    Idea("alm-sport", "Almaty district", "ru", "playgrounds",
         "Воркаут-площадка во дворе домов 5 и 7 по улице Иле",
         "ул. Иле, 5 и 7 — общий двор", 9_800_000,
         "Подростки нашего двора занимаются на старых трубах теплотрассы — других турников рядом "
         "нет. Предлагаем сделать небольшую воркаут-площадку с резиновым покрытием на месте "
         "заброшенной хоккейной коробки."),
    # Baikonur district
    Idea("bai-lighting", "Baikonur district", "kk", "lighting",
         "Сейфуллин көшесіндегі аулаларды жарықтандыру",
         "Сәкен Сейфуллин көшесі, 31–37 үйлер аулалары", 7_600_000,
         "Ескі бес қабатты үйлердің аулаларында шамдар 10 жылдан бері жанбайды. Кешке қарай "
         "балалармен үйге қараңғыда келеміз, подъезд алдында тайғанақ жерлер көрінбейді."),
    Idea("bai-playground", "Baikonur district", "ru", "playgrounds",
         "Детская площадка для малышей во дворе на Абылай хана, 9",
         "проспект Абылай хана, 9 — двор", 11_300_000,
         "Во дворе много молодых семей, а площадка рассчитана на школьников: высокие горки и "
         "лазалки, на которые малыши забраться не могут. Нужна отдельная зона для детей до шести "
         "лет с мягким покрытием и песочницей с крышкой."),
    Idea("bai-aryk", "Baikonur district", "ru", "aryks",
         "Восстановить арыки на улице Иманова",
         "ул. Иманова, от ул. Кенесары до ул. Ауэзова", 10_200_000,
         "Арыки на Иманова давно засыпаны землёй и мусором, вода с дороги стоит лужами у "
         "пешеходных переходов. Деревья вдоль улицы сохнут, потому что полив не доходит."),
    Idea("bai-sidewalk", "Baikonur district", "kk", "sidewalks",
         "Уәлиханов көшесіндегі тротуарды жөндеу",
         "Шоқан Уәлиханов көшесі, 4–18 үйлер", 13_900_000,
         "Тротуардың плиткалары көтеріліп, шұқырлар пайда болған. Қарт адамдар мен бала арбасы "
         "бар аналар жол жиегімен жүруге мәжбүр. Көшеде мектеп пен емхана бар."),
    Idea("bai-public", "Baikonur district", "ru", "public_spaces",
         "Сквер для соседских встреч у дома культуры на улице Кенесары",
         "ул. Кенесары, 40 — пустырь у дома культуры", 18_500_000,
         "Пустырь у дома культуры превращается в стоянку. Предлагаем небольшой сквер: дорожки, "
         "деревья, навес и столы для настольных игр. Пенсионеры района давно просят место, где "
         "можно посидеть летом."),
    Idea("bai-bins", "Baikonur district", "kk", "benches_bins",
         "Ақжол көшесі аялдамаларына орындықтар мен қоқыс жәшіктері",
         "Ақжол көшесі, 3 аялдама", 2_100_000,
         "Ақжол көшесіндегі үш аялдамада орындық та, қоқыс жәшігі де жоқ. Автобусты 20 минут күтетін "
         "кездер болады, әсіресе қарттарға қиын."),
    Idea("bai-sanitation", "Baikonur district", "ru", "sanitation",
         "Санитарная очистка оврага за улицей Жангельдина",
         "ул. Жангельдина, овраг за домами 20–26", 3_400_000,
         "Весной в овраг сносит весь мусор с окрестных дворов, летом там пожароопасная сухая трава. "
         "Нужна разовая очистка и покос, а дальше жители готовы сами проводить субботники."),
    Idea("bai-greening", "Baikonur district", "kk", "greening",
         "Республика даңғылы, 50 үй алдындағы гүлзарды қалпына келтіру",
         "Республика даңғылы, 50 үй", 4_900_000,
         "Бұрын мұнда әдемі гүлзар болған, қазір шөп басып кеткен. Көгалдандыру мен тамшылатып "
         "суару жүйесін орнатсақ, аула әлдеқайда көркем болады."),
    # Esil district (the demo resident lives here)
    Idea("esil-resident-1", "Esil district", "kk", "playgrounds",
         "Сығанақ көшесі, 18 үй ауласындағы спорт алаңы",
         "Сығанақ көшесі, 18 үй ауласы", 15_700_000,
         "Жаңа тұрғын үй кешенінде балалар көп, бірақ футбол ойнайтын жер жоқ. Ауланың ортасындағы "
         "бос алаңға жасанды жабыны бар шағын футбол алаңы мен баскетбол қалқанын орнатуды "
         "ұсынамын."),
    Idea("esil-resident-2", "Esil district", "kk", "benches_bins",
         "Тұран даңғылы бойындағы велосипед тұрақтары мен орындықтар",
         "Тұран даңғылы, 37–43 үйлер", 2_900_000,
         "Тұран даңғылымен велосипедпен жүретіндер көбейді, бірақ дүкендер мен емхана алдында "
         "велосипед қоятын жер жоқ. Орындықтар да жоқ."),
    Idea("esil-light-kk", "Esil district", "kk", "lighting",
         "Сығанақ көшесіндегі жаяу жүргіншілер жолын жарықтандыру",
         "Сығанақ көшесі, 14–22 үйлер аралығындағы жол", 9_300_000,
         "Сығанақ көшесінің бұл бөлігінде тротуар бар, бірақ бірде-бір шам жоқ. Қыста сағат 17-ден "
         "кейін мүлдем қараңғы, балалар мектептен және үйірмелерден қараңғыда қайтады."),
    Idea("esil-light-ru", "Esil district", "ru", "lighting",
         "Осветить тротуар на улице Сыганак между домами 14 и 22",
         "ул. Сыганак, 14–22", 8_700_000,
         "На участке улицы Сыганак от дома 14 до дома 22 нет ни одного фонаря. Зимой там очень "
         "темно и скользко, а люди идут от остановки к домам именно этой дорогой."),
    Idea("esil-ramp", "Esil district", "ru", "sidewalks",
         "Понижение бордюров на переходах улицы Кунаева",
         "ул. Кунаева, переходы у домов 12, 14 и 29", 4_600_000,
         "На трёх переходах по Кунаева бордюры высотой больше 15 сантиметров. С коляской или "
         "на инвалидной коляске перейти улицу невозможно без посторонней помощи."),
    Idea("esil-greening", "Esil district", "kk", "greening",
         "Қабанбай батыр даңғылы, 11 үй маңындағы саябақты көгалдандыру",
         "Қабанбай батыр даңғылы, 11 үй", 6_800_000,
         "Үйдің жанындағы шағын саябақта ағаштар аз, желден пана жоқ. Жел тосқауыл ретінде "
         "шыршалар мен қайыңдар отырғызып, көгал жасауды ұсынамыз."),
    Idea("esil-public", "Esil district", "ru", "public_spaces",
         "Крытая беседка и столы во дворе ЖК на улице Орынбор",
         "ул. Орынбор, 8 — двор", 5_400_000,
         "Во дворе нет места, где можно укрыться от солнца и дождя. Соседи предлагают поставить "
         "беседку со столами: для шахмат, для посиделок пожилых и для детских праздников."),
    Idea("esil-dump", "Esil district", "ru", "dumps",
         "Убрать стихийную свалку строительного мусора у канала Нура – Есиль",
         "набережная канала Нура – Есиль, пустырь у ул. Сауран", 3_900_000,
         "После окончания стройки соседнего ЖК подрядчик оставил гору строительного мусора у "
         "канала. Теперь туда же везут мусор со всей округи. Место у воды, дети играют рядом."),
    # Nura district
    Idea("nura-playground", "Nura district", "kk", "playgrounds",
         "Ұлы Дала даңғылы, 5 үй ауласына инклюзивті балалар алаңы",
         "Ұлы Дала даңғылы, 5 үй ауласы", 17_800_000,
         "Біздің үйде мүмкіндігі шектеулі үш бала тұрады. Қазіргі алаңда олар ойнай алмайды. "
         "Арбамен кіруге болатын әткеншек, сенсорлы панельдер және жұмсақ жабын керек."),
    Idea("nura-lighting", "Nura district", "ru", "lighting",
         "Освещение дороги от остановки до школы-лицея на улице Е10",
         "ул. Е10, от остановки «Мечеть Хазрет Султан» до лицея", 11_900_000,
         "Дети идут от остановки до лицея по плохо освещённому участку вдоль пустыря. Зимой "
         "первые уроки начинаются в темноте. Нужны фонари и светоотражающие столбики."),
    Idea("nura-sidewalk", "Nura district", "ru", "sidewalks",
         "Тротуар вдоль улицы Акмешит, где люди ходят по обочине",
         "ул. Акмешит, от дома 1 до торгового центра", 19_600_000,
         "На этом участке тротуара нет вовсе: люди идут по краю проезжей части или по "
         "протоптанной в газоне тропе, где весной стоит грязь по щиколотку."),
    Idea("nura-aryk", "Nura district", "kk", "aryks",
         "Сарайшық көшесінде жаңбыр суын бұратын арық салу",
         "Сарайшық көшесі, 7–13 үйлер", 7_200_000,
         "Нөсер жауған сайын Сарайшық көшесіндегі подъездердің алдын су басады. Көшеде су "
         "ағатын арық жоқ, су жертөлелерге кіріп жатыр."),
    Idea("nura-greening", "Nura district", "ru", "greening",
         "Аллея из деревьев вдоль улицы Мухамедханова",
         "ул. Мухамедханова, нечётная сторона", 9_100_000,
         "Новая улица, много домов, и ни одного дерева: летом асфальт раскаляется, гулять с детьми "
         "негде. Предлагаем высадить аллею карагачей и лип с системой капельного полива."),
    Idea("nura-bins", "Nura district", "kk", "benches_bins",
         "Хусейн бен Талал көшесі, 25 үй ауласына орындықтар мен қоқыс жәшіктері",
         "Хусейн бен Талал көшесі, 25 үй ауласы", 3_300_000,
         "Аулада тек екі орындық бар, қоқыс жәшіктері жетпейді. Кешке қарттар отыратын жер жоқ."),
    Idea("nura-sport", "Nura district", "ru", "playgrounds",
         "Спортивная площадка с тренажёрами для взрослых на Кабанбай батыра, 60",
         "пр. Кабанбай батыра, 60 — сквер", 8_400_000,
         "В районе много площадок для детей, но ничего для взрослых и пожилых. Уличные тренажёры "
         "и дорожка для скандинавской ходьбы были бы полезны всему кварталу."),
    Idea("nura-dump", "Nura district", "kk", "dumps",
         "Есіл өзені жағасындағы қоқыс үйіндісін жою",
         "Есіл өзенінің сол жағалауы, Ұлы Дала даңғылы көпірінің маңы", 5_600_000,
         "Жағалаудағы бұталардың арасы қоқысқа толы: пикниктен қалған қалдықтар, шиналар, құрылыс "
         "қоқысы. Жазда бұл жерде демалушылар көп, бірақ тазалау жүргізілмейді."),
    # Saryarka district
    Idea("sar-playground", "Saryarka district", "kk", "playgrounds",
         "Сарыарқа даңғылы, 12 үй ауласына балалар алаңы",
         "Сарыарқа даңғылы, 12 үй ауласы", 13_200_000,
         "Біздің аулада балалар алаңы мүлдем жоқ: бұрынғы алаңның орнында тек бетон қалды. "
         "Ауладағы 4 подъездде 60-тан астам мектепке дейінгі бала тұрады."),
    Idea("sar-lighting", "Saryarka district", "ru", "lighting",
         "Фонари в сквере на улице Бейбитшилик",
         "ул. Бейбитшилик, сквер у дома 33", 6_400_000,
         "Сквер на Бейбитшилик — короткий путь к вокзалу, им пользуются сотни людей. Фонари там "
         "стоят, но не работают уже третий год, кабели украдены."),
    Idea("sar-aryk", "Saryarka district", "ru", "aryks",
         "Расчистить и облицевать арык на улице Богенбай батыра",
         "пр. Богенбай батыра, 48–60", 9_700_000,
         "Открытый земляной арык осыпается, края подмыты, в одном месте провалился тротуар. "
         "Нужно расчистить и облицевать лотком, а сверху у подъездов положить решётки."),
    Idea("sar-public", "Saryarka district", "kk", "public_spaces",
         "Жеңіс даңғылы, 67 үй маңындағы ескі саябақты жаңарту",
         "Жеңіс даңғылы, 67 үй", 19_900_000,
         "Кеңес заманынан қалған шағын саябақ қараусыз қалған: жолдар бұзылған, фонтан жұмыс "
         "істемейді. Жаңа жолдар, орындықтар, шағын сахна жасасақ, мерекелерді осында өткізуге "
         "болар еді."),
    Idea("sar-sanitation", "Saryarka district", "kk", "sanitation",
         "Пушкин көшесіндегі жертөлелер мен аулаларды санитарлық тазарту",
         "Пушкин көшесі, 2–10 үйлер", 2_400_000,
         "Ескі үйлердің жертөлелерінде су тұрып, масалар көбейді. Аулалардағы қурап қалған "
         "ағаштарды кесу және дезинсекция жүргізу қажет."),
    Idea("sar-sidewalk", "Saryarka district", "ru", "sidewalks",
         "Пандус и поручни у подъездов на улице Омарова, 10",
         "ул. Жумабека Омарова, 10 — подъезды 1–4", 2_800_000,
         "В нашем доме живут несколько человек на инвалидных колясках и много пожилых. У "
         "подъездов по три-четыре ступеньки без поручней, зимой это опасно."),
    Idea("sar-dump", "Saryarka district", "ru", "dumps",
         "Ликвидировать свалку у гаражей на улице Сакена Сейфуллина, 2",
         "ул. Сакена Сейфуллина, 2 — за гаражным кооперативом", 3_100_000,
         "За гаражами годами копится мусор: шины, старая мебель, строительные отходы. Летом там "
         "несколько раз был пожар, дым шёл прямо в окна."),
    Idea("sar-bins", "Saryarka district", "kk", "benches_bins",
         "Манас көшесі, 20 үй ауласына орындықтар мен жабық қоқыс жәшіктері",
         "Манас көшесі, 20 үй ауласы", 1_900_000,
         "Ауладағы ескі орындықтар сынып қалған, қоқыс жәшіктерінің қақпағы жоқ, қарғалар қоқысты "
         "бүкіл аулаға шашады. Қарттар подъезд алдында тұрып сөйлесуге мәжбүр."),
]

# The second lighting request for Sygnaq street duplicates the first: the akimat merges them.
DUPLICATE, DUPLICATE_INTO = "esil-light-ru", "esil-light-kk"
RESIDENT_IDEAS = ("esil-resident-1", "esil-resident-2")

CATEGORY_TEXT = {
    # category: {lang: [paragraph variants]}
    "playgrounds": {
        "kk": ["Алаңда жұмсақ резеңке жабын, әртүрлі жастағы балаларға арналған әткеншектер, "
               "сырғанақ және ата-аналар отыратын көлеңкелі орындықтар болуы керек. Алаң "
               "автотұрақтан қоршаумен бөлінсін.",
               "Біз көршілермен бірге жоба жасадық: алаңның жоспарын ОСИ төрағасы қолдады, ал "
               "күтіп-ұстауды тұрғындар өз мойнына алуға дайын."],
        "ru": ["Важно, чтобы покрытие было резиновым, а не песок или гравий, и чтобы площадку "
               "отделял от парковки невысокий забор. Скамейки для родителей лучше поставить в "
               "тени.",
               "Мы обсудили проект на собрании жильцов, председатель ОСИ согласен, и жители "
               "готовы следить за порядком и сообщать о поломках."],
    },
    "sidewalks": {
        "kk": ["Пандустар ҚР құрылыс нормаларына сай болуы керек: еңіс 8%-дан аспасын, екі жағында "
               "тұтқалар, бетінде тайғанамайтын жабын.",
               "Бұл жолмен күн сайын мектеп оқушылары, қарттар және бала арбасы бар аналар жүреді."],
        "ru": ["Пандусы нужны по нормам: уклон не больше 8 %, поручни с двух сторон, "
               "нескользящее покрытие. Сейчас зимой даже здоровому человеку тут легко упасть.",
               "Этой дорогой каждый день ходят школьники, пожилые люди и мамы с колясками."],
    },
    "aryks": {
        "kk": ["Арықтарды тазалап, бетон науамен қаптап, подъездер мен жаяу жүргіншілер өтетін "
               "жерлерде темір тормен жабу керек.",
               "Арықтар жұмыс істесе, ағаштар да суарылады, тротуарды да су баспайды."],
        "ru": ["Предлагаем расчистить арыки, уложить бетонные лотки и закрыть их решётками в "
               "местах, где ходят люди.",
               "Если арыки будут работать, вода перестанет стоять на тротуарах, а деревья вдоль "
               "улицы получат полив."],
    },
    "lighting": {
        "kk": ["Энергия үнемдейтін LED шамдар мен түнде автоматты түрде қосылатын датчиктер "
               "орнатуды ұсынамыз. Шамдар арасындағы қашықтық 25–30 метрден аспауы керек.",
               "Жарық болса, кешкі уақытта қауіпсіздік артады: бейнебақылау камералары да бір нәрсе "
               "көрсете алады."],
        "ru": ["Предлагаем энергосберегающие светодиодные фонари с датчиками освещённости, с "
               "шагом 25–30 метров, чтобы не было тёмных промежутков.",
               "Когда светло, безопаснее всем: и пешеходам, и водителям на переходах. Камеры "
               "видеонаблюдения в темноте почти бесполезны."],
    },
    "public_spaces": {
        "kk": ["Жобаны көршілермен талқыладық: жасөспірімдерге, қарттарға, балалы отбасыларға "
               "орын болуы керек. Көлеңке, су ішетін фонтанша және дәретхана туралы да ойлау қажет.",
               "Мұндай орын көршілерді жақындастырады: кездесулер, ауладағы мерекелер, шағын "
               "концерттер өткізуге болады."],
        "ru": ["Мы обсуждали проект с соседями: нужно место и для подростков, и для пожилых, и "
               "для семей с детьми. Обязательно тень, питьевой фонтанчик и урны.",
               "Такое место объединяет соседей: можно проводить встречи, дворовые праздники, "
               "небольшие концерты."],
    },
    "greening": {
        "kk": ["Астананың климатына төзімді ағаштарды (қарағаш, қайың, жөке) "
               "отырғызып, тамшылатып суару жүйесін орнату керек. Көшеттер кемінде 3 жыл күтімде "
               "болуы тиіс.",
               "Ағаштар жел мен шаңнан қорғайды, жазда көлеңке береді."],
        "ru": ["Нужно сажать деревья, которые выживают в нашем климате (карагач, вяз, берёза, "
               "липа), и сразу делать капельный полив. Подрядчик должен ухаживать за саженцами "
               "хотя бы три года.",
               "Деревья защищают от ветра и пыли, летом дают тень — в Астане это особенно важно."],
    },
    "benches_bins": {
        "kk": ["Орындықтар арқалықты, ағаштан болсын, қоқыс жәшіктері қақпақты болсын, "
               "әйтпесе жел қоқысты шашып жібереді.",
               "Бұл арзан, бірақ күнделікті өмірді жеңілдететін нәрсе."],
        "ru": ["Скамейки лучше со спинками и подлокотниками — пожилым так легче вставать. Урны "
               "с крышками, иначе ветер всё разносит.",
               "Это недорого, но меняет повседневную жизнь сотен людей."],
    },
    "dumps": {
        "kk": ["Қоқысты шығарып, жерді тегістеп, қайта қоқыс тастамас үшін шлагбаум мен "
               "бейнекамера орнату керек. Содан кейін көгалдандыруға болады.",
               "Тұрғындар сенбілікке шығуға дайын, бірақ ауыр техникасыз бұл үйіндіні шығару "
               "мүмкін емес."],
        "ru": ["Нужно вывезти мусор, спланировать участок и поставить камеру или ограждение, "
               "чтобы туда снова не начали возить отходы. Потом можно озеленить.",
               "Жители готовы выйти на субботник, но без техники такую свалку не убрать."],
    },
    "sanitation": {
        "kk": ["Санитарлық тазарту, қурап қалған ағаштарды кесу және дезинсекция жылына кемінде "
               "бір рет жүргізілуі керек.",
               "Тұрғындар кейін тазалықты өздері сақтауға уәде береді."],
        "ru": ["Нужна санитарная очистка, вырубка сухостоя и обработка от насекомых, хотя бы раз "
               "в сезон.",
               "Дальше порядок жители готовы поддерживать сами."],
    },
}

WORKS = {
    "kk": ("Не істеу керек:", ["жобалау-сметалық құжаттама", "ескі жабдықты бөлшектеу",
                               "жаңа жабдықты орнату", "аумақты абаттандыру", "тұрғындармен келісу"]),
    "ru": ("Что нужно сделать:", ["проектно-сметная документация", "демонтаж старого",
                                  "монтаж нового оборудования", "благоустройство вокруг",
                                  "согласование с жителями"]),
}
CLOSING = {
    "kk": ["Көршілер, қолдаңыздар! Неғұрлым көп қолдау болса, соғұрлым әкімдік тезірек қарайды.",
           "Сұрақтарыңыз болса, пікірлерде жазыңыздар.",
           "Бұл ұсынысты ауламыздың 40-тан астам тұрғыны қолдап, қол қойды."],
    "ru": ["Соседи, поддержите! Чем больше поддержек, тем быстрее акимат рассмотрит проект.",
           "Если есть вопросы или идеи — пишите в комментариях.",
           "Под предложением уже подписались больше 40 жителей нашего двора."],
}

COMMENTS = {
    ("for", "kk"): ["Өте керек нәрсе, толық қолдаймын!", "Балаларым да осы жерде жүреді, қолдаймын.",
                    "Бұл мәселе көптен бері шешілмей келеді. Қолдаймын.",
                    "Керемет идея, көршілерге де айтамын."],
    ("for", "ru"): ["Полностью поддерживаю, давно пора!", "Хожу здесь каждый день, это очень нужно.",
                    "Поддерживаю, и соседям переслала ссылку.", "Отличная идея, спасибо автору."],
    ("against", "kk"): ["Менің ойымша, бұл ақшаны басқа жерге жұмсаған дұрыс: алдымен жолды жөндеу керек.",
                        "Бағасы тым қымбат сияқты. Смета қайдан алынды?",
                        "Қарсымын: бұл жер ОСИ-дің аумағы, оны ОСИ өзі жасауы керек."],
    ("against", "ru"): ["Против: это должна делать управляющая компания за наши же взносы.",
                        "Слишком дорого для такого объёма работ, смета завышена.",
                        "Сначала нужно отремонтировать дорогу, а потом уже это."],
    ("neutral", "kk"): ["Қызметтік жол қалай болады? Өрт сөндіру көлігі өте ала ма?",
                        "Кім күтіп-ұстайды? Бұл туралы жобада жазылмаған.",
                        "Идея жақсы, бірақ орнын басқа жерге ауыстыру керек сияқты."],
    ("neutral", "ru"): ["А кто будет это обслуживать после установки?",
                        "Есть ли согласование с ОСИ? Без него акимат может отказать.",
                        "Идея хорошая, но, может, стоит выбрать место чуть дальше от дороги?"],
}
REPLIES = {
    "kk": ["Рақмет! ОСИ-мен келістік, хаттамасы бар.", "Смета ұқсас жобалардың бағасы бойынша жасалды.",
           "Күтіп-ұстауды аудан әкімдігі алады деп уәде берді."],
    "ru": ["Спасибо! С ОСИ согласовано, протокол собрания есть.",
           "Смету составляли по ценам похожих проектов прошлого года.",
           "Обслуживать будет акимат района, это обсуждали на встрече с депутатом."],
}

FEASIBLE = {
    # key: (reviewer email, cost factor, note)
    "alm-playground": ("expert@qatysu.kz", 1.06, "Смета уточнена: добавлены демонтаж старого оборудования и вывоз."),
    "alm-ramp": ("akimat@qatysu.kz", 1.00, "Пандустар ғимарат иелерімен келісілді."),
    "bai-lighting": ("akimat@qatysu.kz", 1.12, "Добавлена прокладка кабеля, прежние линии непригодны."),
    "bai-bins": ("expert@qatysu.kz", 0.95, "Стоимость снижена по актуальным ценам поставщиков."),
    "esil-resident-1": ("expert@qatysu.kz", 1.08, "Жасанды жабынның бағасы нақтыланды."),
    "esil-ramp": ("akimat@qatysu.kz", 1.00, "Согласовано с отделом пассажирского транспорта и дорог."),
    "nura-playground": ("expert@qatysu.kz", 1.10, "Инклюзивті жабдықтың бағасы жеткізушілермен нақтыланды."),
    "sar-playground": ("akimat@qatysu.kz", 0.97, "Смета пересчитана, часть покрытия уже есть."),
}
NOT_FEASIBLE = {
    "alm-benches": ("expert@qatysu.kz",
                    "Сквер у школы № 62 уже включён в план благоустройства акимата на следующий год; "
                    "двойное финансирование из бюджета народного участия не допускается."),
    "bai-public": ("akimat@qatysu.kz",
                   "Жер учаскесі мәдениет үйінің балансында тұр және оны қайта жоспарлау үшін "
                   "жобалау-сметалық құжаттама мен жер мәртебесін өзгерту қажет; бұл бағдарлама "
                   "шеңберінен тыс."),
    "nura-sidewalk": ("akimat@qatysu.kz",
                      "Участок улицы Акмешит будет реконструирован в 2027 году по городской "
                      "программе вместе с тротуаром; строить его сейчас означает разобрать через год."),
}
MERGE_NOTE = ("Екі ұсыныс Сығанақ көшесінің бір бөлігін жарықтандыру туралы; қолдаулар біріктірілді. "
              "Оба предложения об одном участке улицы Сыганак.")


def _description(rng: random.Random, idea: Idea) -> str:
    """2–4 Markdown paragraphs: the author's own words, the category's details, maybe a list."""
    parts = [idea.lead]
    variants = CATEGORY_TEXT[idea.category][idea.lang]
    parts.append(rng.choice(variants))
    if rng.random() < 0.5:
        heading, items = WORKS[idea.lang]
        chosen = rng.sample(items, k=3)
        parts.append(heading + "\n\n" + "\n".join(f"- {item}" for item in chosen))
    if rng.random() < 0.7:
        parts.append(rng.choice(CLOSING[idea.lang]))
    return "\n\n".join(parts)


# --- loading ----------------------------------------------------------------------------------

def _power_law(rng: random.Random, count: int) -> list[float]:
    """Popularity weights: a few proposals are much more popular than most."""
    return [1.0 / (rank + 1) ** 1.2 * (0.6 + 0.4 * rng.random()) for rank in range(count)]


def load_demo_proposals(users: dict[str, User], areas: dict[str, Area], processes: dict[str, Process]) -> int:
    """Fill the open process with demo proposals; returns how many were created (0 if it already has some)."""
    process = processes["open"]
    if db.session.scalar(select(func.count(Proposal.id)).where(Proposal.process_id == process.id)):
        return 0
    with _fast_sqlite_commits():
        return _load(users, areas, process)


@contextmanager
def _fast_sqlite_commits():
    """The services commit after every action (~300 here); on SQLite each commit waits for the
    disk. While loading demo data that wait buys nothing, so this connection skips it, then
    goes back to the previous setting."""
    if db.engine.dialect.name != "sqlite":
        yield
        return
    previous = db.session.execute(text("PRAGMA synchronous")).scalar()
    db.session.execute(text("PRAGMA synchronous = OFF"))
    try:
        yield
    finally:
        db.session.rollback()  # nothing is pending after a successful load; after a failure, drop it
        db.session.execute(text(f"PRAGMA synchronous = {int(previous)}"))
        db.session.commit()


def _load(users: dict[str, User], areas: dict[str, Area], process: Process) -> int:
    rng = random.Random(2026)
    budgets: dict[str, Budget] = {b.area.name_en: b for b in process.budgets}
    categories = {c.code: c for c in process.categories}
    residents = _load_residents(rng, areas)
    demo_resident = users["resident@qatysu.kz"]
    residents["Esil district"].append(demo_resident)
    db.session.commit()

    # Proposals, each by a resident of its district (the demo resident writes two in Esil).
    created: dict[str, Proposal] = {}
    languages: dict[int, str] = {}
    by_district: dict[str, list[Proposal]] = {d: [] for d in DISTRICTS}
    authors_left = {d: rng.sample([u for u in people if u is not demo_resident], k=len(people) - 1)
                    for d, people in residents.items()}
    for idea in IDEAS:
        budget = budgets[idea.district]
        author = demo_resident if idea.key in RESIDENT_IDEAS else authors_left[idea.district].pop()
        proposal = proposal_service.create_proposal(
            author, budget, title=idea.title, description=_description(rng, idea),
            category=categories[idea.category], address=idea.address, cost=idea.cost, photos=(), submit=True,
        )
        created[idea.key] = proposal
        languages[proposal.id] = idea.lang
        by_district[idea.district].append(proposal)

    # Supports from neighbours in the district: a few proposals gather most of them (power law).
    for district, proposals in by_district.items():
        popularity = _power_law(rng, len(proposals))
        top = max(popularity)
        for proposal, weight in zip(rng.sample(proposals, k=len(proposals)), popularity):
            eligible = [u for u in residents[district] if u.id != proposal.author_id]
            wanted = min(len(eligible), round(len(eligible) * 0.95 * weight / top * rng.uniform(0.7, 1.0)))
            for person in rng.sample(eligible, k=wanted):
                proposal_service.support(proposal, person)
    # The demo resident supports a few neighbours' proposals, so their page shows something.
    supported = set(db.session.scalars(select(Support.proposal_id).where(Support.user_id == demo_resident.id)))
    for proposal in by_district["Esil district"]:
        if len(supported) >= 4:
            break
        if proposal.author_id != demo_resident.id and proposal.id not in supported:
            proposal_service.support(proposal, demo_resident)
            supported.add(proposal.id)

    # Discussion: a few comments on most proposals, some replies by the author, "useful" marks.
    for district, proposals in by_district.items():
        neighbours = residents[district]
        for proposal in proposals:
            thread: list[Comment] = []
            for _ in range(rng.choice([0, 1, 2, 2, 3, 3, 4])):
                commenter = rng.choice([u for u in neighbours if u.id != proposal.author_id])
                stance = rng.choices(["for", "against", "neutral"], weights=[6, 2, 3])[0]
                lang = commenter.locale if commenter.locale in ("kk", "ru") else "ru"
                thread.append(comment_service.add_comment(
                    proposal, commenter, body=rng.choice(COMMENTS[(stance, lang)]), stance=stance))
            questions = [c for c in thread if c.stance != "for"]
            if questions and rng.random() < 0.6:
                question = questions[0]
                lang = languages[proposal.id]
                comment_service.add_comment(proposal, proposal.author, body=rng.choice(REPLIES[lang]),
                                            stance="neutral", parent_id=question.id)
            for comment in thread:
                if rng.random() < 0.35:
                    marker = rng.choice([u for u in neighbours if u.id != comment.author_id])
                    try:
                        comment_service.mark_useful(comment, marker)
                    except ServiceError:  # the same neighbour twice: once is enough
                        pass

    # Reviews by the expert council and the akimat, then one merge of a genuine duplicate.
    for key, (email, factor, note) in FEASIBLE.items():
        proposal = created[key]
        limit = proposal.budget.project_limit() or proposal.estimated_cost
        final = min(limit, int(round(proposal.estimated_cost * factor, -4)))
        review_service.review(proposal, users[email], feasible=True, final_cost=final, reason=note)
    for key, (email, reason) in NOT_FEASIBLE.items():
        review_service.review(created[key], users[email], feasible=False, final_cost=None, reason=reason)
    review_service.merge(created[DUPLICATE], created[DUPLICATE_INTO], users["akimat@qatysu.kz"], MERGE_NOTE)

    _spread_dates(rng, process, list(created.values()))
    return len(created)


def _spread_dates(rng: random.Random, process: Process, proposals: list[Proposal]) -> None:
    """Everything above happened within a second; spread it over the days the phase has been
    open so "newest" means something: proposals in the order written, comments and supports after
    their proposal."""
    from app.models import PhaseKind

    now = utcnow()
    phase = process.phase(PhaseKind.PROPOSALS)
    start = max(phase.starts_at, now - timedelta(days=30)) + timedelta(hours=6)
    span = (now - timedelta(hours=3) - start).total_seconds()
    for position, proposal in enumerate(proposals):
        at = start + timedelta(seconds=span * (position + rng.random() * 0.8) / len(proposals))
        db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                           .values(created_at=at, submitted_at=at, updated_at=at))
        db.session.execute(update(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id,
                                                       ProposalEvent.kind == "submitted").values(created_at=at))
        left = (now - at).total_seconds()
        for model in (Support, Comment):
            ids = list(db.session.scalars(select(model.id).where(model.proposal_id == proposal.id)
                                          .order_by(model.id)))
            offsets = sorted(rng.random() * left * 0.9 for _ in ids)
            for row_id, offset in zip(ids, offsets):
                db.session.execute(update(model).where(model.id == row_id)
                                   .values(created_at=at + timedelta(seconds=offset)))
    db.session.commit()
