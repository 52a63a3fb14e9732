"""How far the finished process's funded projects have got: a stage each, in turn, and the words
of the akimat's reports."""

# (status, progress in percent, share of the cost spent), given to the funded projects in turn
STAGES = [("completed", 100, 1.0), ("in_progress", 60, 0.55), ("in_progress", 35, 0.3), ("procurement", 5, 0.0),
          ("planned", 0, 0.0)]
# (title, starts after the vote ends, due after the vote ends), in days
MILESTONES = [("Жобалау / Проектирование", 20, 60), ("Құрылыс / Строительство", 60, 200)]
PROCUREMENT_NOTE = "Мемлекеттік сатып алу жарияланды / Объявлены госзакупки"
WORKING_NOTE = "Жұмыс жүріп жатыр / Работы идут"
COMPLETED_NOTE = "Жоба аяқталды / Проект завершён"
