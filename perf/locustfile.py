"""Load test of mif-erp (docs/operations.md, "Load test").

    npm run seed:demo -- --scale 1
    locust -f perf/locustfile.py --users 100 --spawn-rate 10 -H http://localhost:8000
    # CI: add --headless -t 5m --csv perf/results/run

Works with Debian's python3-locust 2.12. Four user classes (technicien, responsable, client,
admin) log in once with the seeded accounts, refresh their access token before it expires and on
a 401, and run the weighted tasks of the four roles. With python3-requests-toolbelt and a loopback
target, every virtual user sends from its own 127.x.y.z address, so that the per-IP limits of the
server stay realistic; otherwise the target must run with RATE_LIMIT_ENABLED=false.

Settings (environment):
  LOCUST_TECHNICIEN_USERS, LOCUST_RESPONSABLE_USERS, LOCUST_CLIENT_USERS, LOCUST_ADMIN_USERS
      comma-separated logins (username or e-mail) of each role, used in turn by the virtual users
  LOCUST_TECHNICIEN_PASSWORD ... LOCUST_ADMIN_PASSWORD   their password
  LOCUST_MAX_FAIL_RATIO (0.01), LOCUST_MAX_P95_MS (500)  the run fails (exit 1) above them
"""

import ipaddress
import itertools
import logging
import os
import random
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from locust import HttpUser, between, events, task

try:
    from requests_toolbelt.adapters.source import SourceAddressAdapter
except ImportError:  # the per-user source address is optional
    SourceAddressAdapter = None

API = "/api/v1"
SCALE_PASSWORD = "ScalePass123!"

# The seeded accounts of `seed:demo` (demo accounts first, then the --scale 1 accounts).
DEFAULT_LOGINS = {
    "technicien": ["ahmed"] + [f"technicien.{n:04d}" for n in range(1, 21)],
    "responsable": ["responsable", "responsable.01", "responsable.02"],
    "client": ["contact.abc"] + [f"client.{n:04d}" for n in range(1, 11)],
    "admin": ["admin"],
}
DEMO_PASSWORDS = {"ahmed": "TechPass123!", "responsable": "RespPass123!", "contact.abc": "ClientPass123!", "admin": "ChefPass123!"}


def accounts(role):
    """The (login, password) pairs of a role, cycled over by its virtual users."""
    configured = os.environ.get(f"LOCUST_{role.upper()}_USERS")
    logins = [login.strip() for login in configured.split(",") if login.strip()] if configured else DEFAULT_LOGINS[role]
    password = os.environ.get(f"LOCUST_{role.upper()}_PASSWORD")
    return itertools.cycle([(login, password or DEMO_PASSWORDS.get(login, SCALE_PASSWORD)) for login in logins])


ACCOUNTS = {role: accounts(role) for role in DEFAULT_LOGINS}
ACCOUNTS_LOCK = threading.Lock()


def next_account(role):
    with ACCOUNTS_LOCK:
        return next(ACCOUNTS[role])


def loopback_addresses():
    """127.0.1.1, 127.0.1.2, ...: one per virtual user (127.0.0.1 stays the server's)."""
    for n in itertools.count(256 + 1):
        yield str(ipaddress.IPv4Address("127.0.0.0") + n)


SOURCE_ADDRESSES = loopback_addresses()
warned_about_source_address = False


@events.init.add_listener
def resolve_localhost(environment, **_kwargs):
    """The server listens on IPv4: `localhost` could resolve to ::1 first."""
    if environment.host:
        parts = urlsplit(environment.host)
        if parts.hostname == "localhost":
            netloc = "127.0.0.1" + (f":{parts.port}" if parts.port else "")
            environment.host = urlunsplit(parts._replace(netloc=netloc))


@events.quitting.add_listener
def check_thresholds(environment, **_kwargs):
    max_fail_ratio = float(os.environ.get("LOCUST_MAX_FAIL_RATIO", "0.01"))
    max_p95_ms = float(os.environ.get("LOCUST_MAX_P95_MS", "500"))
    total = environment.stats.total
    p95 = total.get_response_time_percentile(0.95) or 0
    if total.num_requests == 0:
        logging.error("Aucune requête envoyée")
        environment.process_exit_code = 1
    elif total.fail_ratio > max_fail_ratio:
        logging.error("Taux d'échec %.2f %% > %.2f %%", total.fail_ratio * 100, max_fail_ratio * 100)
        environment.process_exit_code = 1
    elif p95 > max_p95_ms:
        logging.error("p95 %d ms > %d ms", p95, max_p95_ms)
        environment.process_exit_code = 1


class ApiUser(HttpUser):
    abstract = True
    role = None
    login_path = "/auth/login"
    login_field = "username"

    def on_start(self):
        self.bind_source_address()
        self.login, self.password = next_account(self.role)
        self.sign_in()

    def bind_source_address(self):
        global warned_about_source_address
        hostname = urlsplit(self.host).hostname or ""
        try:
            loopback = ipaddress.ip_address(hostname).is_loopback
        except ValueError:
            loopback = False
        if loopback and SourceAddressAdapter is not None:
            with ACCOUNTS_LOCK:
                address = next(SOURCE_ADDRESSES)
            adapter = SourceAddressAdapter(address)
            self.client.mount("http://", adapter)
            self.client.mount("https://", adapter)
        elif loopback and not warned_about_source_address:
            warned_about_source_address = True
            logging.warning(
                "python3-requests-toolbelt absent : tous les utilisateurs partagent une adresse ; "
                "lancez le serveur avec RATE_LIMIT_ENABLED=false"
            )

    def keep_tokens(self, response):
        body = response.json()
        self.access_token = body["access_token"]
        self.refresh_token = body["refresh_token"]
        # Refresh 30 s before expiry (expires_in is in seconds).
        self.refresh_at = time.monotonic() + max(int(body.get("expires_in", 900)) - 30, 5)

    def sign_in(self):
        with self.client.post(
            API + self.login_path,
            data={self.login_field: self.login, "password": self.password},
            name=API + self.login_path,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"connexion de {self.login} : {response.status_code} {response.text[:200]}")
                self.access_token = None
                return
            self.keep_tokens(response)

    def refresh(self):
        with self.client.post(API + "/auth/refresh", data={"refresh_token": self.refresh_token}, name=API + "/auth/refresh", catch_response=True) as response:
            if response.status_code == 200:
                self.keep_tokens(response)
            else:
                # The session is gone (revoked, expired): sign in again.
                response.success()
                self.sign_in()

    def api(self, method, path, name=None, json=None, ok=(200,)):
        """One call with the bearer token; a 401 refreshes once and retries; `ok` statuses are successes."""
        if self.access_token is None:
            self.sign_in()
            if self.access_token is None:
                return None
        if time.monotonic() >= self.refresh_at:
            self.refresh()
        for attempt in (1, 2):
            with self.client.request(
                method,
                API + path,
                json=json,
                headers={"Authorization": f"Bearer {self.access_token}"},
                name=API + (name or path),
                catch_response=True,
            ) as response:
                if response.status_code == 401 and attempt == 1:
                    response.success()  # counted once, by the retry
                    self.refresh()
                    continue
                if response.status_code in ok:
                    response.success()
                    return response.json() if response.content else None
                response.failure(f"{response.status_code} {response.text[:200]}")
                return None
        return None

    def pick(self, rows, **wanted):
        matching = [row for row in rows or [] if all(row.get(key) in values for key, values in wanted.items())]
        return random.choice(matching) if matching else None


class TechnicienUser(ApiUser):
    weight = 12
    wait_time = between(1, 5)
    role = "technicien"
    assigned = []

    @task(4)
    def list_interventions(self):
        rows = self.api("GET", "/interventions/?limit=50", name="/interventions/?limit=50")
        if rows is not None:
            self.assigned = rows

    @task(3)
    def read_intervention(self):
        row = self.pick(self.assigned)
        if row:
            self.api("GET", f"/interventions/{row['id']}", name="/interventions/{id}")

    @task(1)
    def history(self):
        row = self.pick(self.assigned)
        if row:
            self.api("GET", f"/interventions/{row['id']}/historique", name="/interventions/{id}/historique")

    @task(2)
    def notifications(self):
        self.api("GET", "/notifications/user/me")

    @task(1)
    def toggle_status(self):
        row = self.pick(self.assigned, statut=("en_cours", "en_attente"))
        if row:
            target = "en_attente" if row["statut"] == "en_cours" else "en_cours"
            # 409: another virtual user changed it meanwhile.
            updated = self.api("PATCH", f"/interventions/{row['id']}/statut", name="/interventions/{id}/statut", json={"statut": target, "remarque": "test de charge"}, ok=(200, 409))
            if updated:
                row["statut"] = updated["statut"]

    @task(1)
    def dashboard(self):
        self.api("GET", "/dashboard/stats")


class ResponsableUser(ApiUser):
    weight = 4
    wait_time = between(1, 5)
    role = "responsable"
    login_path = "/auth/token"
    login_field = "email"
    equipements = []
    techniciens = []
    open_interventions = []

    @task(3)
    def active_interventions(self):
        rows = self.api("GET", "/interventions/?statut=ouverte,affectee", name="/interventions/?statut=ouverte,affectee")
        if rows is not None:
            self.open_interventions = rows

    @task(2)
    def dashboard(self):
        self.api("GET", "/dashboard/stats")

    @task(2)
    def equipment(self):
        rows = self.api("GET", "/equipements/")
        if rows is not None:
            self.equipements = rows

    @task(1)
    def technicians(self):
        rows = self.api("GET", "/techniciens/")
        if rows is not None:
            self.techniciens = rows

    @task(1)
    def planning(self):
        self.api("GET", "/planning/")

    @task(1)
    def create_intervention(self):
        equipment = self.pick(self.equipements, statut=("operationnel", "maintenance", "panne"))
        if equipment:
            body = {"titre": "Test de charge", "type": "corrective", "priorite": "normale", "equipement_id": equipment["id"]}
            self.api("POST", "/interventions/", json=body)

    @task(1)
    def assign(self):
        intervention = self.pick(self.open_interventions, statut=("ouverte", "affectee"))
        technician = self.pick(self.techniciens)
        if intervention and technician:
            # 409: the intervention moved on meanwhile.
            self.api("PATCH", f"/interventions/{intervention['id']}", name="/interventions/{id}", json={"technicien_id": technician["id"]}, ok=(200, 409))


class ClientUser(ApiUser):
    weight = 3
    wait_time = between(2, 6)
    role = "client"

    @task(2)
    def equipment(self):
        self.api("GET", "/equipements/")

    @task(2)
    def interventions(self):
        self.api("GET", "/interventions/")

    @task(1)
    def documents(self):
        self.api("GET", "/documents/")

    @task(1)
    def dashboard(self):
        self.api("GET", "/dashboard/stats")


class AdminUser(ApiUser):
    weight = 1
    wait_time = between(2, 6)
    role = "admin"
    login_path = "/auth/token"
    login_field = "email"

    @task(2)
    def users(self):
        self.api("GET", "/users/")

    @task(1)
    def audit(self):
        self.api("GET", "/audit/?limit=50", name="/audit/?limit=50")

    @task(1)
    def health(self):
        self.api("GET", "/health/detailed")
