"""Seeds a running Zou with a small, realistic data set over its HTTP API.

Usage: zou-seed.py BASE_URL EMAIL PASSWORD OUT_JSON

Idempotent: whatever already exists (matched by name or email) is reused, so
`scripts/zou.sh up` can run it on every start and restore what a test run
removed. The ids, and a bot token when the bot is created, go to OUT_JSON.
Only the standard library is used, so any Python 3 can run it.
"""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request

PRODUCTIONS = [
    {
        "name": "Sprite Fright",
        "description": "Short film: a hike in the woods goes wrong.",
        "production_type": "short",
    },
    {
        "name": "Wing It",
        "description": "Short film: a cat and a bird build a rocket.",
        "production_type": "short",
    },
]
# (asset type, asset name, description), all in the first production.
ASSETS = [
    ("Character", "Ellie", "Lead hiker"),
    ("Character", "Rex", "Hiker with a camera"),
    ("Prop", "Mushroom Basket", "Wicker basket full of sprites"),
]
# Ellie carries the basket in two shots.
LINK = ("Ellie", "Mushroom Basket", 2, "fixed")
PERSON = {
    "first_name": "Ann",
    "last_name": "Lee",
    "email": "ann@example.com",
    "role": "supervisor",
}
BOT = {
    "first_name": "Render Farm",
    "last_name": "Bot",
    "is_bot": True,
    "role": "manager",
}


class Api:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.token = None

    def call(self, method, path, body=None, query=None):
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")
            raise SystemExit(f"{method} {path} -> {err.code}: {detail}") from None
        return json.loads(raw) if raw else None


def find(items, **match):
    for item in items:
        if all(item.get(k) == v for k, v in match.items()):
            return item
    return None


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    base, email, password, out = sys.argv[1:]
    api = Api(base)
    login = api.call("POST", "/auth/login", {"email": email, "password": password})
    api.token = login["access_token"]
    seed = {}

    projects = api.call("GET", "/data/projects")
    for spec in PRODUCTIONS:
        project = find(projects, name=spec["name"])
        if project is None:
            project = api.call("POST", "/data/projects", spec)
            print(f"created production {spec['name']}")
        seed.setdefault("projects", {})[spec["name"]] = project["id"]
    main_project = seed["projects"][PRODUCTIONS[0]["name"]]

    asset_types = api.call("GET", "/data/asset-types")
    assets = api.call(
        "GET", "/data/assets/all", query={"project_id": main_project}
    )
    for type_name, name, description in ASSETS:
        asset_type = find(asset_types, name=type_name)
        if asset_type is None:
            raise SystemExit(f"asset type {type_name} missing: was init-data run?")
        seed.setdefault("asset_types", {})[type_name] = asset_type["id"]
        asset = find(assets, name=name)
        if asset is None:
            asset = api.call(
                "POST",
                f"/data/projects/{main_project}/asset-types/{asset_type['id']}/assets/new",
                {"name": name, "description": description},
            )
            print(f"created asset {name}")
        seed.setdefault("assets", {})[name] = asset["id"]

    in_id = seed["assets"][LINK[0]]
    out_id = seed["assets"][LINK[1]]
    links = api.call("GET", f"/data/projects/{main_project}/entity-links")
    link = find(links, entity_in_id=in_id, entity_out_id=out_id)
    if link is None:
        link = api.call(
            "POST",
            "/data/entity-links",
            {
                "entity_in_id": in_id,
                "entity_out_id": out_id,
                "nb_occurences": LINK[2],
                "label": LINK[3],
            },
        )
        print(f"linked {LINK[0]} -> {LINK[1]}")
    seed["entity_link"] = link["id"]

    persons = api.call("GET", "/data/persons")
    person = find(persons, email=PERSON["email"])
    if person is None:
        person = api.call("POST", "/data/persons", PERSON)
        print(f"created person {PERSON['email']}")
    seed["person"] = person["id"]

    bot = find(persons, is_bot=True, first_name=BOT["first_name"])
    previous = {}
    try:
        with open(out, encoding="utf-8") as fh:
            previous = json.load(fh)
    except (OSError, ValueError):
        pass
    if bot is not None and previous.get("bot") == bot["id"] and "bot_token" in previous:
        seed["bot_token"] = previous["bot_token"]
    if bot is None:
        bot = api.call("POST", "/data/persons", BOT)
        # Zou shows a bot's token only once, at creation.
        seed["bot_token"] = bot["access_token"]
        print(f"created bot {BOT['first_name']}")
    seed["bot"] = bot["id"]

    with open(out, "w", encoding="utf-8") as fh:
        json.dump(seed, fh, indent=2)
        fh.write("\n")


if __name__ == "__main__":
    main()
