"""The demo's town halls in okrug No. 7: one held six days ago whose minutes changed two
proposals, one coming in five days in a small hall (so a waitlist forms)."""

PAST = {
    "title": "№ 7 округ тұрғындарымен кездесу / Встреча с жителями округа № 7",
    "description": "Ауладағы жобаларды талқылау. Обсуждение дворовых проектов.", "kind": "in_person",
    "venue": "№ 54 мектеп, мәжіліс залы", "address": "Қабанбай батыр даңғылы, 40", "online_link": None,
    "capacity": 80,
}
PAST_DAYS_AGO, PAST_HOURS = 6, (18, 20)
SNOW_ITEM = "Қыста қар тазалау / Уборка снега зимой"
AMENDED_NOTE = "Жоба кішірейтілді, орны сол / Уменьшить площадь, место то же"
ENDORSED_NOTE = "Тұрғындар бірауыздан қолдады / Жители поддержали единогласно"
FREE_ITEM_NOTE = "Әкімдікке хат жіберіледі / Направить письмо в акимат"
ATTENDANCE = 47
SUMMARY = "Кездесуге 47 тұрғын келді. **Шешімдер** төменде. / Пришли 47 жителей, решения ниже."
SURVEY = "Аулаға геодезиялық түсірілім жасау / Провести геодезическую съёмку двора"  # the akimat's, overdue
SNOW_SCHEDULE = "Қар тазалау кестесін жариялау / Опубликовать график уборки снега"  # the deputy's

SOON = {
    "title": "Есеп беру кездесуі / Отчётная встреча депутата",
    "description": "Депутаттың жарты жылдық есебі. Полугодовой отчёт депутата.", "kind": "hybrid",
    "venue": "Есіл ауданы әкімдігі, 2-қабат", "address": "Мәңгілік Ел даңғылы, 8",
    "online_link": "https://meet.example.kz/okrug7", "capacity": 4,
}
SOON_IN_DAYS, SOON_HOURS = 5, (19, 21)
