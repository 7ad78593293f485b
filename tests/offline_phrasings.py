"""Short word problems in plain English, written for the offline reader's tests.

Each case is (id, text, reference) where the reference is a small typed model:
``(sense, objective coefficients, rows, integer)`` with rows ``(coefficients, rel, rhs)``.
``reference_formulation(case)`` turns it into a Formulation; ``expected`` holds the optimum
of that model solved with HiGHS (tests/test_offline_phrasings.py checks both agree).

These texts were written to cover general English (objective direction said without
"maximize"/"minimize", variables named as brands, types and options, figures in different
orders, integrality cues, exact totals, percentages, stock on hand). They are not taken
from any benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimus.formulation import Formulation, formulation_from_data


@dataclass(frozen=True)
class Case:
    """One word problem and the model a careful reader would write for it."""

    id: str
    text: str
    sense: str
    c: tuple[float, ...]
    rows: tuple[tuple[tuple[float, ...], str, float], ...]
    integer: bool
    expected: float


CASES: list[Case] = [
    Case("compost_peat",
         "A nursery blends compost and peat to make exactly 100 kg of potting mix. Compost "
         "costs $0.40 per kg and peat costs $0.70 per kg. At least 30% of the mix has to be "
         "peat. Partial kilograms are fine. What is the cheapest way to make the mix?",
         "minimize", (0.4, 0.7), (((1, 1), "==", 100), ((-0.3, 0.7), ">=", 0)), False, 49),
    Case("brand_ab_feed",
         "A kennel buys two dry foods, brand A and brand B. A bag of brand A costs $20 and "
         "provides 4 units of protein and 2 units of fat. A bag of brand B costs $15 and "
         "provides 2 units of protein and 3 units of fat. Each day the dogs need at least 40 "
         "units of protein and 30 units of fat. How many bags of each brand should the kennel "
         "buy to keep the daily cost as low as possible?",
         "minimize", (20, 15), (((4, 2), ">=", 40), ((2, 3), ">=", 30)), True, 230),
    Case("type12_shelves",
         "A workshop builds two kinds of shelves, type 1 and type 2. A type 1 shelf takes 3 "
         "hours of work and a type 2 shelf takes 5 hours of work. The workshop has 150 hours "
         "of work available this week. It earns $40 on each type 1 shelf and $70 on each "
         "type 2 shelf. At most 20 type 2 shelves can be sold. How many of each should it "
         "build to make the most profit?",
         "maximize", (40, 70), (((3, 5), "<=", 150), ((0, 1), "<=", 20)), True, 2060),
    Case("option_xy_fertilizer",
         "A farmer can buy fertilizer option X or option Y. Option X costs $12 per bag and "
         "gives 3 kg of nitrogen. Option Y costs $9 per bag and gives 2 kg of nitrogen. The "
         "field needs at least 60 kg of nitrogen. What is the least expensive plan?",
         "minimize", (12, 9), (((3, 2), ">=", 60),), True, 240),
    Case("muffins_scones_high",
         "A bakery sells muffins and scones. A muffin uses 100 grams of flour and a scone "
         "uses 150 grams of flour. There are 24000 grams of flour on hand. Muffins sell for "
         "$2 and scones sell for $3.50. The bakery can bake at most 180 items in total. Only "
         "whole numbers of items can be baked. How many of each should it bake so that "
         "revenue is as high as possible?",
         "maximize", (2, 3.5), (((100, 150), "<=", 24000), ((1, 1), "<=", 180)), True, 560),
    Case("first_second_mix",
         "A feed mill makes the first mix and the second mix. Each ton of the first mix "
         "needs 2 hours of grinding and each ton of the second mix needs 4 hours of "
         "grinding. The mill has 80 hours of grinding available. Profit is $30 per ton of "
         "the first mix and $50 per ton of the second mix. At least 10 tons of the second "
         "mix must be made. Partial tons are fine. How should the mill plan production to "
         "earn the most?",
         "maximize", (30, 50), (((2, 4), "<=", 80), ((0, 1), ">=", 10)), False, 1100),
    Case("almonds_cashews_lowest",
         "A snack company combines almonds and cashews into trail mix. The price of almonds "
         "is $6 per pound, while cashews are $8 per pound. The mix must weigh exactly 50 "
         "pounds and contain at least 20 pounds of cashews. Find the lowest cost for the mix.",
         "minimize", (6, 8), (((1, 1), "==", 50), ((0, 1), ">=", 20)), False, 340),
    Case("salt_sand_minimum",
         "A city buys salt and sand for icy roads. Salt costs $50 per ton and sand costs $20 "
         "per ton. It needs at least 100 tons of salt and sand in total, and at least 40% of "
         "it has to be salt. Fractional tons are allowed. The city wants to keep its spending "
         "to a minimum.",
         "minimize", (50, 20), (((1, 1), ">=", 100), ((0.6, -0.4), ">=", 0)), False, 3200),
    Case("scarves_hats_money",
         "Maria knits scarves and hats to sell at a market. A scarf takes 4 hours and a hat "
         "takes 2 hours. She has 40 hours to knit. She can sell at most 15 items in total. "
         "She makes $25 on a scarf and $15 on a hat. How many scarves and hats should she "
         "knit to make the most money?",
         "maximize", (25, 15), (((4, 2), "<=", 40), ((1, 1), "<=", 15)), True, 275),
    Case("laptops_tablets_best",
         "A shop sells laptops and tablets. Each laptop brings a profit of $120 and each "
         "tablet a profit of $80. The shop has room for at most 60 devices in total. It must "
         "sell at least 10 tablets. A laptop needs 2 hours of setup and a tablet needs 1 hour "
         "of setup; there are 100 hours of setup available. What is the best number of "
         "laptops and tablets to stock?",
         "maximize", (120, 80), (((1, 1), "<=", 60), ((0, 1), ">=", 10), ((2, 1), "<=", 100)),
         True, 6400),
    Case("wheat_corn_much",
         "A farm has 200 acres for wheat and corn. Wheat earns $300 per acre and corn earns "
         "$250 per acre. Wheat needs 3 hours of labor per acre and corn needs 2 hours of "
         "labor per acre; 480 hours of labor are available. How many acres of each crop "
         "should be planted to get as much profit as possible?",
         "maximize", (300, 250), (((1, 1), "<=", 200), ((3, 2), "<=", 480)), False, 54000),
    Case("oatmeal_yogurt_cheapest",
         "For breakfast, Tom eats oatmeal and yogurt. A bowl of oatmeal has 5 grams of "
         "protein and a cup of yogurt has 10 grams of protein. A bowl of oatmeal costs $1 "
         "and a cup of yogurt costs $2.50. Tom wants at least 30 grams of protein. He also "
         "wants at least 2 bowls of oatmeal. What is the cheapest breakfast?",
         "minimize", (1, 2.5), (((5, 10), ">=", 30), ((1, 0), ">=", 2)), True, 6),
    Case("buses_exactly",
         "A school needs to rent exactly 12 buses, choosing between small buses and large "
         "buses. A small bus seats 30 students and costs $200 to rent, while a large bus "
         "seats 50 students and costs $300. At least 480 students must be carried. Find the "
         "least expensive choice.",
         "minimize", (200, 300), (((1, 1), "==", 12), ((30, 50), ">=", 480)), True, 3000),
    Case("presses_type_ab",
         "A printing firm can run two kinds of presses, type A and type B. A type A press "
         "prints 500 pages an hour and costs $40 an hour to run. A type B press prints 800 "
         "pages an hour and costs $70 an hour to run. The firm must print at least 8000 "
         "pages. Each press can run at most 12 hours. Hours can be fractional. How many "
         "hours should each press run to keep costs as low as possible?",
         "minimize", (40, 70), (((500, 800), ">=", 8000), ((1, 0), "<=", 12), ((0, 1), "<=", 12)),
         False, 655),
    Case("bouquets_in_stock",
         "A florist has 120 roses and 90 tulips in stock. A small bouquet uses 6 roses and 3 "
         "tulips and sells for $20. A large bouquet uses 10 roses and 9 tulips and sells for "
         "$45. How many small and large bouquets should the florist make to earn the most?",
         "maximize", (20, 45), (((6, 10), "<=", 120), ((3, 9), "<=", 90)), True, 480),
    Case("options_12_invest",
         "An investor has $10000 to put into option 1, a bond paying 5% a year, and option 2, "
         "a stock fund returning 9% a year. At most 40% of the money can go into option 2. "
         "How much should go into each option to earn the highest return?",
         "maximize", (0.05, 0.09), (((1, 1), "<=", 10000), ((-0.4, 0.6), "<=", 0)), False, 660),
    Case("agents_low",
         "A call center staffs day agents and night agents. A day agent costs $150 per shift "
         "and a night agent costs $180 per shift. At least 20 agents are needed in total. "
         "There must be at least 6 night agents. How many of each should be hired so the "
         "wage bill is as low as possible?",
         "minimize", (150, 180), (((1, 1), ">=", 20), ((0, 1), ">=", 6)), True, 3180),
    Case("robots_dolls_money",
         "A toy maker produces robots and dolls. A robot needs 3 hours on the machine and 1 "
         "hour of painting. A doll needs 2 hours on the machine and 2 hours of painting. "
         "There are 60 machine hours and 40 painting hours available. Each robot earns a "
         "profit of $8 and each doll $6. The toy maker wants to make as much money as "
         "possible.",
         "maximize", (8, 6), (((3, 2), "<=", 60), ((1, 2), "<=", 40)), True, 170),
    Case("supplier_12_lowest",
         "A bakery needs at least 50 kg of flour. It can buy flour from supplier 1 at $2 per "
         "kg or from supplier 2 at $1.50 per kg. Supplier 2 can deliver at most 30 kg. What "
         "is the lowest cost to get the flour?",
         "minimize", (2, 1.5), (((1, 1), ">=", 50), ((0, 1), "<=", 30)), False, 85),
    Case("chairs_benches_how_should",
         "A carpenter makes chairs and benches. A chair uses 2 boards and a bench uses 5 "
         "boards. 100 boards are available. A chair earns $30 and a bench earns $70. He "
         "wants to make at least as many chairs as benches. How should he use the boards to "
         "earn the most?",
         "maximize", (30, 70), (((2, 5), "<=", 100), ((1, -1), ">=", 0)), True, 1500),
    Case("cat_food_brand_xy",
         "A pet owner mixes two cat foods, brand X and brand Y. Each can of brand X has 3 "
         "units of vitamins and costs $1.20. Each can of brand Y has 5 units of vitamins and "
         "costs $1.80. The cat needs at least 45 units of vitamins a week. What is the "
         "cheapest mix?",
         "minimize", (1.2, 1.8), (((3, 5), ">=", 45),), True, 16.2),
    Case("juice_30_percent",
         "A juice bar makes apple juice and orange juice. Each liter of apple juice earns $3 "
         "and each liter of orange juice earns $4. At most 200 liters of juice can be made "
         "in a day. At least 30% of the juice has to be apple juice. How many liters of each "
         "should be made to earn as much as possible?",
         "maximize", (3, 4), (((1, 1), "<=", 200), ((0.7, -0.3), ">=", 0)), True, 740),
    Case("vans_trucks_few",
         "A moving company uses vans and trucks. A van carries 10 boxes and a truck carries "
         "25 boxes. At least 200 boxes have to be moved. At most 5 trucks are available. How "
         "many vans and trucks should be used so that as few vehicles as possible are needed?",
         "minimize", (1, 1), (((10, 25), ">=", 200), ((0, 1), "<=", 5)), True, 13),
    Case("fertilizer_ab_kept_low",
         "A gardener combines fertilizer A and fertilizer B. One bag of fertilizer A contains "
         "4 kg of nitrogen and 2 kg of phosphate; one bag of fertilizer B contains 2 kg of "
         "nitrogen and 4 kg of phosphate. The garden needs at least 20 kg of nitrogen and 16 "
         "kg of phosphate. Fertilizer A costs $10 a bag and fertilizer B costs $8 a bag. The "
         "total cost should be kept as low as possible.",
         "minimize", (10, 8), (((4, 2), ">=", 20), ((2, 4), ">=", 16)), True, 56),
    Case("charity_largest",
         "A charity packs food boxes and hygiene kits. A food box takes 3 minutes to pack and "
         "a hygiene kit takes 2 minutes to pack. Volunteers have 240 minutes. At least 20 "
         "hygiene kits are needed. Each food box helps 4 people and each hygiene kit helps 2 "
         "people. How many of each should be packed to help the largest number of people?",
         "maximize", (4, 2), (((3, 2), "<=", 240), ((0, 1), ">=", 20)), True, 306),
    Case("coffee_whole_bags",
         "A store has 500 kg of coffee beans in stock. It sells house blend and dark roast. A "
         "bag of house blend uses 2 kg of beans and a bag of dark roast uses 2.5 kg of beans. "
         "A bag of house blend makes $9 profit and a bag of dark roast makes $12 profit. It "
         "can sell at most 150 bags of house blend. Bags must be whole numbers. How many bags "
         "of each should it fill for the most profit?",
         "maximize", (9, 12), (((2, 2.5), "<=", 500), ((1, 0), "<=", 150)), True, 2400),
    Case("coal_gas_pollution",
         "A power plant burns coal and gas. Each ton of coal gives 8 units of energy and 3 "
         "units of pollution, and each ton of gas gives 6 units of energy and 1 unit of "
         "pollution. The plant must produce at least 240 units of energy. It wants to keep "
         "pollution to a minimum. Partial tons are fine.",
         "minimize", (3, 1), (((8, 6), ">=", 240),), False, 40),
    Case("shirts_pants_exactly",
         "A tailor sews shirts and skirts. She must sew exactly 30 pieces this week. A shirt "
         "takes 2 hours and a skirt takes 3 hours, and she has 75 hours. Each shirt earns $15 "
         "and each skirt earns $25. How many of each should she sew to earn the most?",
         "maximize", (15, 25), (((1, 1), "==", 30), ((2, 3), "<=", 75)), True, 600),
    Case("radio_tv_cheapest",
         "A company can advertise with radio ads and TV ads. A radio ad costs $500 and "
         "reaches 3000 people. A TV ad costs $2000 and reaches 15000 people. The company "
         "wants to reach at least 60000 people and run at most 10 radio ads. What is the "
         "cheapest plan?",
         "minimize", (500, 2000), (((3000, 15000), ">=", 60000), ((1, 0), "<=", 10)), True, 8000),
    Case("solutions_ab_partial",
         "A chemist blends solution A and solution B to get at least 10 liters. Solution A "
         "costs $4 per liter and solution B costs $6 per liter. At least 3 liters of solution "
         "B are needed. Partial liters are fine. Find the least expensive blend.",
         "minimize", (4, 6), (((1, 1), ">=", 10), ((0, 1), ">=", 3)), False, 46),
    Case("tomatoes_peppers_money",
         "A farmer grows tomatoes and peppers on 10 acres. An acre of tomatoes earns $900 and "
         "an acre of peppers earns $700. Tomatoes need 30 hours of work per acre and peppers "
         "need 20 hours of work per acre; the farmer has 240 hours of work. How many acres of "
         "each should be planted to make the most money?",
         "maximize", (900, 700), (((1, 1), "<=", 10), ((30, 20), "<=", 240)), False, 7800),
    Case("cookies_brownies_highest",
         "A cafe bakes cookies and brownies each morning. A tray of cookies needs 20 minutes "
         "in the oven and a tray of brownies needs 30 minutes. The oven is free for 300 "
         "minutes. A tray of cookies brings in $18 and a tray of brownies brings in $30. At "
         "least 3 trays of cookies have to be baked. What is the highest revenue the cafe can "
         "get?",
         "maximize", (18, 30), (((20, 30), "<=", 300), ((1, 0), ">=", 3)), True, 294),
    Case("pumps_least_cost",
         "A farm waters its fields with an electric pump and a diesel pump. The electric pump "
         "moves 40 liters a minute and costs $0.50 a minute to run; the diesel pump moves 60 "
         "liters a minute and costs $0.90 a minute to run. At least 3000 liters must be moved "
         "and the diesel pump can run for at most 30 minutes. Running times can be "
         "fractional. What running times give the least cost?",
         "minimize", (0.5, 0.9), (((40, 60), ">=", 3000), ((0, 1), "<=", 30)), False, 37.5),
]


def reference_formulation(case: Case) -> Formulation:
    """The typed model behind ``case.expected`` (variables v0, v1, ...)."""
    n = len(case.c)
    names = [f"v{i}" for i in range(n)]

    def lin(coefs) -> str:
        return " + ".join(f"{float(a)!r}*{v}" for a, v in zip(coefs, names))

    return formulation_from_data({
        "name": case.id,
        "variables": [{"name": v, "domain": "integer" if case.integer else "continuous"}
                      for v in names],
        "constraints": [{"name": f"r{k}", "expression": f"{lin(a)} {rel} {float(b)!r}"}
                        for k, (a, rel, b) in enumerate(case.rows)],
        "objective": {"sense": case.sense, "expression": lin(case.c)},
    }, source=case.id)
