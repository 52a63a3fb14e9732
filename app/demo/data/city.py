"""Astana, its districts and maslikhat okrugs, and one demo account per role (README: Demo logins)."""
from datetime import date

DEMO_PASSWORD = "qatysu-demo"

ASTANA_DISTRICTS = [
    # (kk, ru, en)
    ("Алматы ауданы", "район Алматы", "Almaty district"),
    ("Байқоңыр ауданы", "район Байконур", "Baikonur district"),
    ("Есіл ауданы", "район Есиль", "Esil district"),
    ("Нұра ауданы", "район Нура", "Nura district"),
    ("Сарыарқа ауданы", "район Сарыарка", "Saryarka district"),
]
OKRUGS_PER_DISTRICT = 3

# email, full name, role (None: resident only), where the role is held, birth date, sex
DEMO_USERS = [
    ("admin@qatysu.kz", "Айгерім Сапарова", "admin", None, date(1985, 3, 14), "female"),
    ("akimat@qatysu.kz", "Ерлан Жақсылықов", "akimat", "Astana", date(1979, 7, 2), "male"),
    ("deputy@qatysu.kz", "Гүлнар Оспанова", "deputy", "Esil district / okrug 7", date(1974, 11, 23), "female"),
    ("expert@qatysu.kz", "Сергей Ким", "expert", "Astana", date(1981, 5, 30), "male"),
    ("moderator@qatysu.kz", "Дана Әбілқасымова", "moderator", "Astana", date(1992, 1, 9), "female"),
    ("resident@qatysu.kz", "Нұрлан Бекенов", None, "Esil district / okrug 7", date(1990, 9, 17), "male"),
    ("resident2@qatysu.kz", "Ольга Петренко", None, "Almaty district / okrug 1", date(1966, 4, 4), "female"),
]

DISTRICTS = [en for _, _, en in ASTANA_DISTRICTS]  # the keys the demo uses for a district
