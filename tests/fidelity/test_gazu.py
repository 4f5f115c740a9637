"""Fidelity test: the official Kitsu client, gazu, against `portico sim`.

gazu is used unchanged; if the simulator's Kitsu part drifts from what gazu
expects of a real Zou, these calls fail the way they would in production.

    python3 -m venv /tmp/venv-gazu
    /tmp/venv-gazu/bin/pip install -r tests/fidelity/requirements.txt
    portico sim --addr 127.0.0.1:8044 &
    PORTICO_SIM=http://127.0.0.1:8044 /tmp/venv-gazu/bin/python -m unittest tests/fidelity/test_gazu.py -v
"""

import os
import re
import unittest
import uuid

import gazu
import requests
from gazu.exception import (
    AuthFailedException,
    NotAuthenticatedException,
    ParameterException,
    RouteNotFoundException,
)

SIM = os.environ.get("PORTICO_SIM", "").rstrip("/")
HOST = SIM + "/kitsu/api"
EMAIL = "admin@kitsu.portico.demo"
PASSWORD = "portico-demo-kitsu"
MICROSECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?$")
SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


def tag():
    return uuid.uuid4().hex[:8]


def names(items):
    return [item["name"] for item in items]


class GazuAgainstSimulator(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Fail rather than skip: a skipped fidelity run reads like a pass.
        if not SIM:
            raise RuntimeError("set PORTICO_SIM to the simulator's base URL")
        gazu.set_host(HOST)
        cls.tokens = gazu.log_in(EMAIL, PASSWORD)

    def project_named(self, name):
        project = gazu.project.get_project_by_name(name)
        self.assertIsNotNone(project, name)
        return project

    def client_with_token(self, token):
        client = gazu.client.create_client(HOST)
        gazu.client.set_tokens({"access_token": token}, client=client)
        return client

    def test_host_is_up_and_valid(self):
        self.assertTrue(gazu.client.host_is_up())
        self.assertTrue(gazu.client.host_is_valid())

    def test_log_in_returns_tokens_and_user(self):
        self.assertTrue(self.tokens["login"])
        self.assertEqual(self.tokens["user"]["email"], EMAIL)
        self.assertEqual(self.tokens["user"]["role"], "admin")
        self.assertEqual(self.tokens["organisation"]["type"], "Organisation")
        self.assertEqual(self.tokens["access_token"].count("."), 2)
        self.assertEqual(self.tokens["refresh_token"].count("."), 2)

    def test_log_in_rejects_a_wrong_password(self):
        client = gazu.client.create_client(HOST)
        with self.assertRaises(AuthFailedException) as caught:
            gazu.log_in(EMAIL, "not-the-password", client=client)
        self.assertIn("Wrong email or password.", str(caught.exception))

    def test_api_version(self):
        self.assertEqual(gazu.client.get_api_version(), "1.0.97")

    def test_all_projects(self):
        projects = gazu.project.all_projects()
        for name in ["Harbor Lights", "Moss & Stone", "Paper Kites", "Night Ferry"]:
            self.assertIn(name, names(projects))
        for project in projects:
            self.assertEqual(project["type"], "Project")
            self.assertRegex(project["created_at"], SECONDS)
            self.assertNotIn("team", project)
        open_names = names(gazu.project.all_open_projects())
        self.assertIn("Harbor Lights", open_names)
        self.assertNotIn("Night Ferry", open_names)

    def test_project_lifecycle(self):
        name = "Fidelity " + tag()
        project = gazu.project.new_project(name)
        self.assertEqual(project["name"], name)
        self.assertEqual(project["production_type"], "short")
        self.assertEqual(project["production_style"], "2d3d")
        self.assertEqual(project["fps"], "25")
        self.assertEqual(project["team"], [])
        # new_project looks the name up first and returns the existing one.
        self.assertEqual(gazu.project.new_project(name)["id"], project["id"])

        with self.assertRaises(ParameterException) as caught:
            gazu.project.remove_project(project)
        self.assertIn("Only closed projects can be deleted", str(caught.exception))

        gazu.project.close_project(project)
        fetched = gazu.project.get_project(project["id"])
        self.assertEqual(fetched["project_status_name"], "Closed")
        gazu.project.remove_project(project)
        with self.assertRaises(RouteNotFoundException):
            gazu.project.get_project(project["id"])

    def test_asset_types(self):
        all_types = names(gazu.asset.all_asset_types())
        for name in ["Character", "Environment", "FX", "Prop"]:
            self.assertIn(name, all_types)
        self.assertNotIn("Shot", all_types)

        harbor = self.project_named("Harbor Lights")
        self.assertEqual(
            names(gazu.asset.all_asset_types_for_project(harbor)),
            ["Character", "Environment", "FX", "Prop"],
        )
        kites = self.project_named("Paper Kites")
        used = gazu.asset.all_asset_types_for_project(kites)
        self.assertEqual(names(used), ["Character", "Prop"])
        self.assertTrue(all("task_types" not in t for t in used))

        name = "Vehicle " + tag()
        created = gazu.asset.new_asset_type(name)
        self.assertEqual(created["name"], name)
        self.assertEqual(created["type"], "EntityType")
        self.assertIn(name, names(gazu.asset.all_asset_types()))
        self.assertEqual(gazu.asset.new_asset_type(name)["id"], created["id"])
        # A new type is used by no asset yet, so no production lists it.
        self.assertNotIn(name, names(gazu.asset.all_asset_types_for_project(harbor)))

    def test_entity_links(self):
        harbor = self.project_named("Harbor Lights")
        links = gazu.casting.all_entity_links_for_project(harbor)
        self.assertGreaterEqual(len(links), 3)
        for link in links:
            self.assertEqual(link["type"], "EntityLink")
            self.assertRegex(link["created_at"], MICROSECONDS)
            self.assertNotIn("updated_at", link)

        page = gazu.casting.all_entity_links_for_project(harbor, page=1, limit=2)
        self.assertEqual(len(page["data"]), 2)
        self.assertEqual(page["total"], len(links))
        self.assertEqual(page["limit"], 2)

        # Cast a fresh pair of assets, then delete the link through gazu.
        project = gazu.project.new_project("Links " + tag())
        prop = gazu.asset.get_asset_type_by_name("Prop")
        box = gazu.asset.new_asset(project, prop, "Crate", "A crate")
        lid = gazu.asset.new_asset(project, prop, "Lid", "Its lid")
        link = gazu.client.create(
            "entity-links",
            {"entity_in_id": box["id"], "entity_out_id": lid["id"], "nb_occurences": 2},
        )
        listed = gazu.casting.all_entity_links_for_project(project)
        self.assertEqual([l["id"] for l in listed], [link["id"]])
        gazu.casting.delete_entity_link(link)
        self.assertEqual(gazu.casting.all_entity_links_for_project(project), [])
        gazu.project.close_project(project)
        gazu.project.remove_project(project, force=True)

    def test_all_persons(self):
        persons = gazu.person.all_persons()
        emails = [p["email"] for p in persons]
        self.assertIn(EMAIL, emails)
        self.assertTrue(any(p["is_bot"] for p in persons))
        for person in persons:
            self.assertEqual(person["type"], "Person")
            self.assertNotIn("password", person)
            self.assertNotIn("jti", person)

    def test_bot_token_lifecycle(self):
        bot = gazu.person.new_bot("Fidelity Bot " + tag(), "bot-%s@example.com" % tag())
        self.assertTrue(bot["is_bot"])
        old_token = bot["access_token"]
        as_bot = self.client_with_token(old_token)
        self.assertEqual(gazu.client.get_current_user(client=as_bot)["id"], bot["id"])

        updated = gazu.person.update_bot(bot)
        new_token = updated["access_token"]
        self.assertNotEqual(new_token, old_token)

        # The old token is refused at once, with flask-jwt-extended's body.
        with self.assertRaises(NotAuthenticatedException):
            gazu.client.get_current_user(client=as_bot)
        response = requests.get(
            HOST + "/auth/authenticated",
            headers={"Authorization": "Bearer " + old_token},
        )
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json(), {"msg": "Token has been revoked"})

        as_new_bot = self.client_with_token(new_token)
        self.assertEqual(gazu.client.get_current_user(client=as_new_bot)["id"], bot["id"])

        gazu.person.remove_bot(updated)
        self.assertNotIn(bot["id"], [p["id"] for p in gazu.person.all_persons()])
        with self.assertRaises(NotAuthenticatedException):
            gazu.client.get_current_user(client=as_new_bot)


if __name__ == "__main__":
    unittest.main()
