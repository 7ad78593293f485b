"""Word lists the offline formulator relies on (plus a small learned list, see train.py)."""

from __future__ import annotations

import json
from pathlib import Path

# words that end a listed item ("makes | tables and chairs | each week")
BOUNDARY = {
    "a", "an", "the", "of", "to", "for", "in", "on", "at", "by", "with", "from", "each",
    "per", "is", "are", "be", "was", "were", "has", "have", "had", "can", "could", "will",
    "would", "should", "must", "may", "might", "that", "which", "who", "whom", "it", "they",
    "their", "its", "his", "her", "them", "both", "either", "between", "using", "use",
    "uses", "used", "make", "makes", "made", "produce", "produces", "sell", "sells", "sold",
    "buy", "buys", "only", "how", "many", "much", "what", "where", "when", "if",
    "than", "as", "into", "among", "across", "such", "these", "those", "this", "there",
    "then", "also", "so", "its", "our", "your", "two", "three", "four", "types", "type",
    "kinds", "kind", "different", "namely", "called", "like", "including", "runs", "run",
    "offers", "offer", "selling", "making", "producing", "ships", "invest", "grow",
    "transport", "deliver", "hire", "prepare", "prepares", "need", "needs", "wants", "want",
    "decides", "plans", "planning", "allocate", "allocating", "and", "or", "not", "no",
    "every", "all", "some", "any", "he", "she", "we", "you", "i", "involving", "take",
    "takes", "contain", "contains", "cost", "costs", "get", "gets", "while", "whereas",
    "but", "however", "options", "mix", "feed", "eat", "drink", "choose", "chooses",
    "respectively", "growing", "planted", "buying", "purchase", "purchasing", "order",
    "via", "through", "do", "does", "should", "per", "less", "more", "most", "least",
    "over", "during", "within", "every", "daily", "weekly", "monthly",
    "build", "manufacture", "assemble", "bake", "craft", "brew", "cook", "sew", "print",
    "stock", "carry", "rent", "lease", "ship", "mine", "farm", "serve", "raise", "breed",
    "supply", "provide", "create", "design", "develop", "process", "treat", "mix", "blend",
}

# nouns that say "one of the things" rather than which one
GENERIC_HEAD_WORDS = {
    "type", "kind", "product", "item", "unit", "model", "option", "variety", "version",
    "good", "one", "project", "department", "route", "unit", "activity", "category",
}

# stems that cannot be a decision variable by themselves
NOT_VARIABLE_WORDS = {
    "week", "day", "month", "year", "hour", "minute", "second", "time", "profit", "cost",
    "revenue", "dollar", "unit", "money", "budget", "total", "number", "amount", "labor",
    "labour", "demand", "capacity", "constraint", "requirement", "resource", "worker",
    "employee", "space", "sq", "ft", "kg", "ton", "pound", "gram", "litre", "liter",
    "material", "machine", "minimum", "maximum", "company", "factory", "store", "price",
    "contract", "production", "objective", "goal", "condition", "limit",
}

GE_PHRASES = [
    "at least", "greater than or equal to", "greater than or equal", "more than or equal to",
    "no less than", "not less than", "no fewer than", "not fewer than", "a minimum of",
    "minimum of", "at minimum", "minimum", "or more", "must exceed", "should exceed",
    "exceeds", "exceed", "greater than", "more than", "larger than", "bigger than",
    "higher than", "as much as",
    ">=", "≥", "minimal", "must meet", "must reach", "should reach", "must satisfy",
    "must be met", "must cover", "needs to cover",
]
LE_PHRASES = [
    "at most", "no more than", "not more than", "cannot exceed", "can not exceed",
    "can't exceed", "must not exceed", "should not exceed", "shall not exceed",
    "not to exceed", "does not exceed", "do not exceed", "will not exceed", "not exceed",
    "never exceed", "up to", "a maximum of", "maximum of", "at maximum", "maximum",
    "less than or equal to", "less than or equal", "no greater than", "not greater than",
    "limited to", "is limited", "are limited", "or less", "fewer than", "less than",
    "below", "<=", "<", "smaller than", "lower than", "≤", "capped at", "cap of", "not surpass",
    "cannot surpass", "no higher than", "not higher than", "maximal",
]
EQ_PHRASES = [
    "exactly", "must equal", "equal to", "equals", "must be equal", "precisely", "==", "=",
    "must total", "must be balanced",
]
# availability: a limit without a comparative ("150 hours are available", "has 120 acres")
AVAIL_WORDS = {"available", "availability", "has", "have", "owns", "own", "budget",
               "capacity", "access", "supply", "supplies", "spend", "only", "afford",
               "remaining", "left", "stock", "inventory", "possess", "possesses", "holds",
               "open", "free"}

MAX_WORDS = {"maximize", "maximise", "maximizing", "maximising", "maximum", "maximal",
             "highest", "most", "largest", "greatest", "increase", "maximization", "max"}
MIN_WORDS = {"minimize", "minimise", "minimizing", "minimising", "minimum", "minimal",
             "lowest", "least", "smallest", "fewest", "reduce", "decrease", "minimization",
             "min", "cheapest"}
MONEY_WORDS = {"profit", "cost", "revenue", "earn", "earning", "price", "pay", "paid",
               "spend", "expense", "fee", "wage", "salary", "charge", "budget", "dollar",
               "return", "income", "invest", "investment", "bill", "value"}
COST_WORDS = {"cost", "costs", "expense", "pay", "paid", "fee", "wage", "salary", "spend",
              "charge", "bill", "price", "invest", "investment", "budget", "expenditure",
              "spending", "outlay"}
GAIN_WORDS = {"profit", "revenue", "earn", "earning", "income", "return", "gain", "yield",
              "net"}

CONTINUOUS_CUES = ["can be fractional", "continuous", "fractions are allowed",
                   "fractional amounts are allowed", "need not be integer",
                   "does not need to be integer", "non-integer", "any real"]

ROUNDING = {"round", "rounded", "nearest", "decimal", "decimals"}

# plurals in -ves whose singular ends in -f/-fe ("scarves" and "scarf" must match)
VES_PLURALS = {"scarves": "scarf", "shelves": "shelf", "knives": "knife", "loaves": "loaf",
               "halves": "half", "leaves": "leaf", "wolves": "wolf", "calves": "calf",
               "wives": "wife", "thieves": "thief", "elves": "elf", "hooves": "hoof"}

# words that describe nothing by themselves (skipped when reading what a figure is of)
STOP = {
    "a", "an", "the", "of", "to", "for", "in", "on", "at", "by", "with", "from", "is", "are",
    "be", "was", "were", "it", "its", "they", "their", "this", "that", "these", "those",
    "and", "or", "per", "each", "every", "can", "could", "will", "would", "should", "must",
    "may", "has", "have", "had", "there", "which", "who", "his", "her", "he", "she", "we",
    "our", "only", "also", "while", "whereas", "but", "one", "than", "as", "into", "so",
    "if", "do", "does", "make", "made", "take", "takes", "it", "require", "requires",
    "need", "needs", "unit", "units", "average", "about", "total", "some", "any", "all",
    "how", "many", "much", "should", "what", "whom", "being", "been", "use", "used",
    "up", "just", "however", "further", "additionally", "moreover", "furthermore", "also",
    "both", "either", "such", "same", "then", "get", "gets", "given", "amount", "number",
    "$", ",", ".", ":", "(", ")", "'", "-", "%", "company", "respectively", "approximately",
}

# what separates the clauses of a sentence
SEPARATORS = {",", "and", "while", "whereas", "but", ";", ":", "(", ")"}

# ---------------------------------------------------------------- word rules (parse.py)
# money that is invested ("invest his $10000 in A and B")
FUNDS_WORDS = {"invest", "invests", "investing", "money", "fund", "funds", "capital", "savings",
               "allocate", "allocates", "put", "split", "divide", "divides"}
# verbs of a supply ("the company produces 150 tons of ore each month")
SUPPLY_WORDS = {"produce", "produces", "receive", "receives", "gets", "collect", "collects",
                "harvest", "harvests", "obtain", "obtains", "extract", "extracts", "imports",
                "gather", "gathers", "generates", "supplies"}
# words too generic to tie a bound to the expression defined before it
GENERIC_BOUND_WORDS = {"total", "combined", "minimum", "maximum", "must", "yield", "least", "most"}
# words that open the question of a problem ("..., how many X should ...")
QUESTION_WORDS = {"how", "what", "minimize", "maximize", "minimise", "maximise", "find", "determine",
                  "calculate", "compute"}
# verbs of owning a supply ("a farm has 200 acres for wheat and corn")
HAS_WORDS = {"has", "have", "owns", "own", "available", "possesses", "holds"}
# words that open an explanation, not part of a constraint (", possibly due to")
EXPLAIN_WORDS = {"possibly", "reflecting", "due", "indicating", "ensuring", "considering", "because",
                 "since", "perhaps", "likely", "representing", "highlighting", "showing",
                 "suggesting", "emphasizing", "emphasising", "signifying"}
# verbs of a limit written "limited the number of flyers to 8"
LIMIT_VERBS = {"limited", "limit", "limits", "restricted", "restrict", "capped", "cap", "caps",
               "restricts"}
# "two types", "3 different products": a number that counts kinds, not data
KIND_COUNT_WORDS = {"types", "type", "kinds", "kind", "different", "products", "options",
                    "categories", "variables", "projects", "routes", "departments", "main",
                    "distinct", "separate", "sections", "items", "methods", "ways", "goods",
                    "models", "sizes"}
# "type 2", "project 3": a number that names an option, not data
NUMBERED_NOUNS = {"x", "type", "model", "grade", "option", "route", "project", "department",
                  "number"}
# words that end the phrase naming what is optimized ("maximize profit | while ...")
OBJECTIVE_END_WORDS = {",", ";", "?", "subject", "while", "given", "whilst", "such", "under", "if",
                       "without", "provided", "considering", "when", "and", "so", "by",
                       "respecting", "adhering", "meeting", "satisfying", "ensuring"}
# "calculated as 5 X plus 3 Y": an expression defined, its bound said elsewhere
DEFINE_WORDS = {"calculated", "computed", "defined", "measured"}
# words that open a subordinate clause before the subject ("Since drones cost more, ...")
SUBORDINATE_WORDS = {"since", "because", "due", "as", "to", "given", "if", "although", "while",
                     "in", "for", "with", "after", "before", "when", "however", "additionally",
                     "moreover", "furthermore", "also", "finally"}
# what a figure is counted per, not a thing the variables count ("$300 per trip" vs "per hour")
TIME_UNIT_WORDS = {"hour", "day", "week", "month", "year", "minute", "second",
                   "shift", "season", "unit", "person", "kg", "pound", "ton",
                   "litre", "liter", "gallon", "acre", "hectare"}
# measures a variable may be counted in ("$0.40 per kg")
MEASURE_WORDS = {"kg", "kilogram", "pound", "lb", "ton", "tonne", "litre", "liter",
                 "gallon", "acre", "hectare", "gram", "ounce"}

# ---------------------------------------------------------------- expressions (extract.py)
# words that subtract what follows ("X minus Y", "less 3 Y")
MINUS_WORDS = {"minus", "subtract", "subtracting", "less", "-", "subtracted", "deducting"}
# words that add what follows ("X plus Y", "X and Y", "added with")
PLUS_WORDS = {"plus", "+", "and", "add", "added", "adding", "with"}
# "10 more than", "5 fewer than": an offset, not a coefficient
OFFSET_WORDS = {"more", "greater", "higher", "extra", "additional", "less", "fewer", "lower"}
OFFSET_MINUS_WORDS = {"less", "fewer", "lower"}
# "at least 30% of the budget must be X": nouns for the whole a share is of
SHARED_WHOLE_NOUNS = {"money", "budget", "funds", "investment", "capital", "production", "fleet",
                      "workforce", "staff", "area", "land", "space", "acres", "containers",
                      "units", "items", "products", "meals", "servings", "vehicles", "cars",
                      "trucks", "ads", "advertisements"}

# ---------------------------------------------------------------- variables (variables.py)
# words that take a number without naming an option ("day 1", "at 2", "costs 3")
NOT_NUMBERED_WORDS = {"hour", "hours", "day", "days", "week", "weeks", "month", "months", "year",
                      "years", "minute", "minutes", "step", "steps", "phase", "level", "grade",
                      "table", "figure", "page", "than", "is", "are", "of", "at", "by", "for", "to",
                      "and", "or", "the", "costs", "cost", "with", "has", "have", "in", "on",
                      "from", "takes", "needs", "uses", "about", "only", "under", "over", "every",
                      "each", "all", "requires", "gives", "earns", "makes", "produces", "nearly",
                      "around", "exactly", "least", "most", "plus", "minus", "times", "was", "be"}
# forms of "be" ("are produced")
BE_WORDS = {"be", "been", "being", "is", "are", "was", "were", "get", "gets"}
# nouns whose singular ends in "ie": "pies" is "pie", not "py"
IE_NOUNS = {"pie", "tie", "lie", "die", "cookie", "movie", "brownie", "smoothie", "calorie",
            "hoodie", "zombie", "rookie", "selfie", "veggie", "goalie", "beanie", "freebie",
            "genie", "pixie", "birdie", "sortie", "budgie", "prairie", "lassie", "specie"}
# words that open a clause before its subject ("Each serving of ...", "Conversely, a ...")
INTRO_WORDS = {"each", "every", "a", "an", "the", "one", "conversely", "similarly", "also", "then",
               "however", "additionally", "furthermore", "moreover", "meanwhile", "likewise",
               "on", "average", "in", "addition", "while", "whereas", "but", "and", "finally",
               "lastly", "first", "second", "third", "besides", "otherwise", "alternatively"}
# "a serving of fruit", "a batch of brownies": the thing is after "of"
MEASURE_NOUNS = {"serving", "unit", "batch", "pitcher", "scoop", "acre", "hectare", "bottle", "cup",
                 "bag", "box", "pack", "packet", "kg", "kilogram", "ton", "tonne", "pound", "lb",
                 "gram", "liter", "litre", "portion", "piece", "trip", "hour", "minute", "shift",
                 "load", "can", "jar", "carton", "crate", "bowl", "glass", "plate", "slice", "tray",
                 "pair", "set", "dose", "pill", "tablet", "spoonful", "ounce", "gallon", "square",
                 "foot", "feet", "meter", "metre", "yard", "sq", "ft", "mile", "km", "barrel"}
# words of a requirement or a limit ("at least", "must", "budget")
COMMIT_WORDS = {"least", "most", "must", "minimum", "maximum", "exceed", "available", "budget",
                "needs", "need", "wants", "want", "require", "required", "limit", "limited",
                "only", "total", "capacity", "more", "less", "fewer", "has", "have"}
# words that stand for a subject named elsewhere
PRONOUNS = {"it", "they", "he", "she", "we", "you", "i", "this", "that", "there", "these",
            "those", "which", "who", "each", "all", "both", "either", "someone", "everyone"}
# verbs (and joiners) that end a variable's name before its figures
VERBISH_WORDS = {"costs", "cost", "takes", "needs", "requires", "uses", "gives", "has", "is",
                 "earns", "yields", "produces", "contains", "and", "or", "can", "must", "should",
                 "will", "provides", "makes", "brings", "sells", "generates", "returns", "pays",
                 "offers", "delivers", "carries", "holds", "was", "would", "could", "may"}

_LEARNED = Path(__file__).with_name("lexicon_learned.json")


def learned() -> dict[str, list[str]]:
    """The word lists learned from the NL4Opt train split (see optimus.offline.train)."""
    if _LEARNED.exists():
        return json.loads(_LEARNED.read_text())
    return {}
