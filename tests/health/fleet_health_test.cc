// AssessFleet over known fleets: statuses at the default and per-service
// thresholds (at the level is crossing it, as tMan), any metric, Stale and
// Down servers, the minimum-healthy rule, the service filter, averages.
#include "sonde/fleet_health.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace sonde::health {
namespace {

constexpr int64_t kNow = 1714565100000;  // 2024-05-01T12:05:00Z
constexpr int64_t kMinute = 60000;

LatestState Series(const std::string& host, const std::string& name, double value, Tags tags = {},
                   int64_t ts = kNow - kMinute) {
  LatestState s;
  s.key = SeriesKey::Make(host, name, std::move(tags)).value();
  s.id = s.key.Hash();
  s.value = value;
  s.timestamp_ms = ts;
  return s;
}

// A server as the poller sees a tMan status page: up, cpu, memory tagged with the service.
void AddPolled(std::vector<LatestState>* fleet, const std::string& host, const std::string& service,
               double cpu, double memory, double up = 1, int64_t ts = kNow - kMinute) {
  fleet->push_back(Series(host, "up", up, {}, ts));
  if (up < 0.5) return;
  fleet->push_back(Series(host, "cpu", cpu, {{"service", service}}, ts));
  fleet->push_back(Series(host, "memory", memory, {{"service", service}}, ts));
}

const ServerHealth& Server(const FleetHealth& f, const std::string& host) {
  for (const ServerHealth& s : f.servers) {
    if (s.host == host) return s;
  }
  ADD_FAILURE() << "no server " << host;
  return f.servers.front();
}

const ServiceHealth* Service(const FleetHealth& f, const std::string& name) {
  for (const ServiceHealth& s : f.services) {
    if (s.service == name) return &s;
  }
  return nullptr;
}

TEST(FleetHealth, DefaultThresholdsAsTman) {
  std::vector<LatestState> fleet;
  AddPolled(&fleet, "10.58.1.1", "StorageService", 33, 56);
  AddPolled(&fleet, "10.58.1.100", "RoleService", 78, 31);
  AddPolled(&fleet, "10.58.1.105", "RoleService", 99, 49);
  AddPolled(&fleet, "10.58.1.108", "GeoService", 2, 76);
  AddPolled(&fleet, "10.58.1.109", "AuthService", 35, 75);  // At the level: Degraded.
  AddPolled(&fleet, "10.58.1.110", "TimeService", 11, 86);
  AddPolled(&fleet, "10.58.1.111", "TicketService", 22, 85);  // At critical: Unhealthy.
  AddPolled(&fleet, "10.58.1.11", "MLService", 74.9, 22);
  FleetHealth f = AssessFleet(fleet, HealthRules(), kNow);
  ASSERT_EQ(f.servers.size(), 8u);
  // Natural host order: .1 .11 .100 ...
  EXPECT_EQ(f.servers[0].host, "10.58.1.1");
  EXPECT_EQ(f.servers[1].host, "10.58.1.11");
  EXPECT_EQ(f.servers[2].host, "10.58.1.100");
  EXPECT_EQ(Server(f, "10.58.1.1").status, HealthStatus::kHealthy);
  EXPECT_EQ(Server(f, "10.58.1.11").status, HealthStatus::kHealthy);
  EXPECT_EQ(Server(f, "10.58.1.100").status, HealthStatus::kDegraded);
  EXPECT_EQ(Server(f, "10.58.1.100").reasons, std::vector<std::string>{"cpu 78 >= 75"});
  EXPECT_EQ(Server(f, "10.58.1.105").status, HealthStatus::kUnhealthy);
  EXPECT_EQ(Server(f, "10.58.1.108").status, HealthStatus::kDegraded);
  EXPECT_EQ(Server(f, "10.58.1.109").status, HealthStatus::kDegraded);
  EXPECT_EQ(Server(f, "10.58.1.110").status, HealthStatus::kUnhealthy);
  EXPECT_EQ(Server(f, "10.58.1.111").status, HealthStatus::kUnhealthy);
  EXPECT_EQ(Server(f, "10.58.1.105").service, "RoleService");
  EXPECT_EQ(Server(f, "10.58.1.105").cpu, 99);
  EXPECT_EQ(Server(f, "10.58.1.105").memory, 49);
  EXPECT_TRUE(f.AnyUnhealthy());
}

TEST(FleetHealth, AgentNamesAndAnyMetricWithWorstSeries) {
  std::vector<LatestState> fleet = {
      Series("web-7", "cpu", 10, {{"service", "auth"}}),
      Series("web-7", "mem", 80, {{"service", "auth"}}),
      Series("web-7", "disk.used_pct", 40, {{"mount", "/"}, {"service", "auth"}}),
      Series("web-7", "disk.used_pct", 93, {{"mount", "/var"}, {"service", "auth"}}),
  };
  HealthRules rules;
  rules.thresholds["disk.used_pct"] = {80, 90};
  FleetHealth f = AssessFleet(fleet, rules, kNow);
  ASSERT_EQ(f.servers.size(), 1u);
  EXPECT_EQ(f.servers[0].memory, 80);
  EXPECT_EQ(f.servers[0].status, HealthStatus::kUnhealthy);
  EXPECT_EQ(f.servers[0].reasons,
            (std::vector<std::string>{"disk.used_pct 93 >= 90", "mem 80 >= 75"}));
}

TEST(FleetHealth, PerServiceThresholdsAndBelowLevels) {
  std::vector<LatestState> fleet;
  AddPolled(&fleet, "a1", "AuthService", 20, 88);
  AddPolled(&fleet, "r1", "RoleService", 20, 88);
  fleet.push_back(Series("a1", "success_rate", 97, {{"service", "AuthService"}}));
  HealthRules rules;
  rules.services["AuthService"].thresholds["memory"] = {90, 95};
  rules.thresholds["success_rate"] = {99, 95, true};
  FleetHealth f = AssessFleet(fleet, rules, kNow);
  EXPECT_EQ(Server(f, "a1").status, HealthStatus::kDegraded);
  EXPECT_EQ(Server(f, "a1").reasons, std::vector<std::string>{"success_rate 97 <= 99"});
  EXPECT_EQ(Server(f, "r1").status, HealthStatus::kUnhealthy);
}

TEST(FleetHealth, ReasonsNeverRoundOntoALevelNotReached) {
  std::vector<LatestState> fleet;
  AddPolled(&fleet, "w1", "S", 84.99996, 10);   // "%.4g" alone would say "85".
  AddPolled(&fleet, "w2", "S", 91.523401, 10);  // Far from a level: four digits.
  AddPolled(&fleet, "w3", "S", 74.99996, 10);   // Just under warning: Healthy.
  fleet.push_back(Series("w4", "success_rate", 95.00004, {{"service", "S"}}));
  fleet.push_back(Series("w5", "success_rate", 94.99996, {{"service", "S"}}));
  HealthRules rules;
  rules.thresholds["success_rate"] = {99, 95, true};
  FleetHealth f = AssessFleet(fleet, rules, kNow);
  EXPECT_EQ(Server(f, "w1").status, HealthStatus::kDegraded);
  EXPECT_EQ(Server(f, "w1").reasons, std::vector<std::string>{"cpu 84.99996 >= 75"});
  EXPECT_EQ(Server(f, "w2").reasons, std::vector<std::string>{"cpu 91.52 >= 85"});
  EXPECT_EQ(Server(f, "w3").status, HealthStatus::kHealthy);
  EXPECT_EQ(Server(f, "w4").status, HealthStatus::kDegraded);
  EXPECT_EQ(Server(f, "w4").reasons, std::vector<std::string>{"success_rate 95.00004 <= 99"});
  EXPECT_EQ(Server(f, "w5").status, HealthStatus::kUnhealthy);
  EXPECT_EQ(Server(f, "w5").reasons, std::vector<std::string>{"success_rate 95 <= 95"});
}

TEST(FleetHealth, ReasonLevelsAreShownAsWritten) {
  std::vector<LatestState> fleet;
  AddPolled(&fleet, "h1", "S", 10, 12346);
  HealthRules rules;
  rules.thresholds["memory"] = {12345, 99999.5};  // "%.4g" would say 1.234e+04.
  FleetHealth f = AssessFleet(fleet, rules, kNow);
  EXPECT_EQ(Server(f, "h1").reasons, std::vector<std::string>{"memory 1.235e+04 >= 12345"});
}

TEST(FleetHealth, StaleAndDown) {
  std::vector<LatestState> fleet;
  AddPolled(&fleet, "old", "S", 99, 10, 1, kNow - 6 * kMinute);  // Stale beats Unhealthy.
  AddPolled(&fleet, "gone", "S", 0, 0, /*up=*/0);
  AddPolled(&fleet, "fine", "S", 1, 1, 1, kNow - 5 * kMinute);  // Exactly max_age: fresh.
  FleetHealth f = AssessFleet(fleet, HealthRules(), kNow);
  EXPECT_EQ(Server(f, "old").status, HealthStatus::kStale);
  EXPECT_EQ(Server(f, "old").reasons.front(), "no data for 6m");
  EXPECT_EQ(Server(f, "gone").status, HealthStatus::kDown);
  EXPECT_EQ(Server(f, "gone").reasons, std::vector<std::string>{"up = 0"});
  EXPECT_EQ(Server(f, "gone").service, "");  // A down page has no fields.
  EXPECT_EQ(Server(f, "fine").status, HealthStatus::kHealthy);
  EXPECT_EQ(Server(f, "fine").last_seen_ms, kNow - 5 * kMinute);
}

TEST(FleetHealth, MinimumHealthyPerService) {
  std::vector<LatestState> fleet;
  AddPolled(&fleet, "r1", "RoleService", 10, 10);
  AddPolled(&fleet, "r2", "RoleService", 80, 10);  // Degraded does not count as healthy.
  AddPolled(&fleet, "s1", "StorageService", 10, 10);
  AddPolled(&fleet, "s2", "StorageService", 10, 10);
  AddPolled(&fleet, "a1", "AuthService", 10, 10);
  HealthRules rules;
  rules.services["AuthService"].min_healthy = 1;
  FleetHealth f = AssessFleet(fleet, rules, kNow);
  ASSERT_EQ(f.services.size(), 3u);
  EXPECT_EQ(f.services[0].service, "AuthService");
  EXPECT_FALSE(Service(f, "AuthService")->below_minimum);
  EXPECT_TRUE(Service(f, "RoleService")->below_minimum);
  EXPECT_EQ(Service(f, "RoleService")->healthy, 1);
  EXPECT_EQ(Service(f, "RoleService")->servers, 2);
  EXPECT_FALSE(Service(f, "StorageService")->below_minimum);
  EXPECT_TRUE(f.AnyUnhealthy());  // Only because of RoleService's count.
  rules.min_healthy = 1;
  FleetHealth relaxed = AssessFleet(fleet, rules, kNow);
  EXPECT_FALSE(relaxed.AnyUnhealthy());
  EXPECT_TRUE(relaxed.AnyUnhealthy(/*strict=*/true));  // r2 is Degraded.
}

TEST(FleetHealth, ServiceFilterAndAverages) {
  std::vector<LatestState> fleet;
  AddPolled(&fleet, "r1", "RoleService", 10, 20);
  AddPolled(&fleet, "r2", "RoleService", 30, 40);
  AddPolled(&fleet, "r3", "RoleService", 90, 90, 1, kNow - 60 * kMinute);  // Stale: not averaged.
  AddPolled(&fleet, "s1", "StorageService", 10, 10);
  FleetHealth f = AssessFleet(fleet, HealthRules(), kNow, {"roleservice"});
  ASSERT_EQ(f.servers.size(), 3u);
  ASSERT_EQ(f.services.size(), 1u);
  EXPECT_EQ(f.services[0].avg_cpu, 20);
  EXPECT_EQ(f.services[0].avg_memory, 30);
  EXPECT_EQ(f.services[0].healthy, 2);
  EXPECT_TRUE(f.AnyUnhealthy());  // r3 is Stale.

  FleetHealth none = AssessFleet(fleet, HealthRules(), kNow, {"NoSuchService"});
  EXPECT_TRUE(none.servers.empty());
  ASSERT_EQ(none.services.size(), 1u);
  EXPECT_TRUE(none.services[0].below_minimum);
  EXPECT_TRUE(none.AnyUnhealthy());
}

// Regression: a host that changed a tag (a status page's version, an added
// dc tag) has an old series of each metric that stays in the catalog until
// retention; its last value must not judge the host once it is out of date.
TEST(FleetHealth, JudgedOnCurrentSeriesOnly) {
  const int64_t now = kNow;
  const int64_t newest = now - kMinute;
  const std::vector<LatestState> fleet = {
      Series("tagswitch", "cpu", 99, {{"service", "pay"}}, newest - 5 * kMinute - 1),
      Series("tagswitch", "mem", 90, {{"service", "pay"}}, newest - 5 * kMinute - 1),
      Series("tagswitch", "cpu", 10, {{"dc", "eu1"}, {"service", "pay"}}, newest),
      Series("tagswitch", "mem", 10, {{"dc", "eu1"}, {"service", "pay"}}, newest),
  };
  FleetHealth f = AssessFleet(fleet, HealthRules(), now);
  ASSERT_EQ(f.servers.size(), 1u);
  EXPECT_EQ(f.servers[0].status, HealthStatus::kHealthy);
  EXPECT_EQ(f.servers[0].cpu, 10);
  EXPECT_EQ(f.servers[0].memory, 10);
  EXPECT_TRUE(f.servers[0].reasons.empty());
  EXPECT_EQ(f.servers[0].last_seen_ms, newest);
}

TEST(FleetHealth, SeriesWithinMaxAgeOfTheNewestStillCount) {
  // At exactly max_age behind the host's newest sample a series is current,
  // as a host is fresh at exactly max_age: its worst value still counts.
  const int64_t newest = kNow - kMinute;
  const std::vector<LatestState> fleet = {
      Series("web-1", "disk.used_pct", 95, {{"mount", "/var"}}, newest - 5 * kMinute),
      Series("web-1", "disk.used_pct", 40, {{"mount", "/"}}, newest),
  };
  HealthRules rules;
  rules.thresholds["disk.used_pct"] = {80, 90};
  FleetHealth f = AssessFleet(fleet, rules, kNow);
  ASSERT_EQ(f.servers.size(), 1u);
  EXPECT_EQ(f.servers[0].status, HealthStatus::kUnhealthy);
  rules.max_age = std::chrono::minutes(4);  // Now /var is out of date, and so is the host.
  f = AssessFleet(fleet, rules, newest);
  EXPECT_EQ(f.servers[0].status, HealthStatus::kHealthy);
}

TEST(FleetHealth, AMovedHostCountsForBothServicesUntilMaxAge) {
  std::vector<LatestState> fleet = {
      Series("mover", "cpu", 10, {{"service", "old"}}, kNow - 3 * kMinute),
      Series("mover", "cpu", 10, {{"service", "new"}}, kNow - kMinute),
      Series("mover", "load", 1, {}, kNow - kMinute),  // No service tag: no say.
  };
  FleetHealth f = AssessFleet(fleet, HealthRules(), kNow);
  ASSERT_EQ(f.servers.size(), 2u);
  EXPECT_EQ(f.servers[0].service, "new");
  EXPECT_EQ(f.servers[1].service, "old");
  ASSERT_EQ(f.services.size(), 2u);
  // Once the old series is max_age behind the newest, only the new service.
  fleet[0].timestamp_ms = kNow - 7 * kMinute;
  f = AssessFleet(fleet, HealthRules(), kNow);
  ASSERT_EQ(f.servers.size(), 1u);
  EXPECT_EQ(f.servers[0].service, "new");
  EXPECT_TRUE(AssessFleet(fleet, HealthRules(), kNow, {"old"}).servers.empty());
}

// An agent tagged service=db and an app tagged service=web on one machine:
// the host is a server of both, each judged against its own service's
// levels on the series tagged with it or with no service, and each service
// counts it.
TEST(FleetHealth, AHostRunningTwoServicesIsAServerOfEach) {
  const std::vector<LatestState> fleet = {
      Series("h1", "cpu", 80, {{"service", "db"}}),
      Series("h1", "requests", 5, {{"service", "web"}}),
      Series("h1", "mem", 50),  // Untagged: host-wide, both rows see it.
      Series("h2", "cpu", 10, {{"service", "web"}}),
  };
  HealthRules rules;
  rules.min_healthy = 1;
  FleetHealth f = AssessFleet(fleet, rules, kNow);
  ASSERT_EQ(f.servers.size(), 3u);
  EXPECT_EQ(f.servers[0].host, "h1");
  EXPECT_EQ(f.servers[0].service, "db");
  EXPECT_EQ(f.servers[0].status, HealthStatus::kDegraded);  // cpu 80 >= 75.
  EXPECT_EQ(f.servers[1].host, "h1");
  EXPECT_EQ(f.servers[1].service, "web");
  EXPECT_EQ(f.servers[1].status, HealthStatus::kHealthy);  // db's cpu is not web's.
  EXPECT_FALSE(f.servers[1].cpu.has_value());
  EXPECT_EQ(f.servers[0].memory, 50);
  EXPECT_EQ(f.servers[1].memory, 50);
  ASSERT_NE(Service(f, "db"), nullptr);
  EXPECT_EQ(Service(f, "db")->servers, 1);
  EXPECT_EQ(Service(f, "db")->healthy, 0);
  ASSERT_NE(Service(f, "web"), nullptr);
  EXPECT_EQ(Service(f, "web")->servers, 2);
  EXPECT_EQ(Service(f, "web")->healthy, 2);
  const FleetHealth web = AssessFleet(fleet, rules, kNow, {"web"});
  ASSERT_EQ(web.servers.size(), 2u);
  EXPECT_EQ(web.servers[0].service, "web");
  EXPECT_EQ(KnownServices(fleet, rules), (std::vector<std::string>{"db", "web"}));
}

// A polled server whose status page has failed for longer than max_age
// sends only an untagged `up` = 0: it is still a down server of its service.
TEST(FleetHealth, AServerDownLongerThanMaxAgeStaysInItsService) {
  const std::vector<LatestState> fleet = {
      Series("flipa", "cpu", 10, {{"service", "FlipSvc"}}, kNow - kMinute),
      Series("flipa", "up", 1, {}, kNow - kMinute),
      Series("flipc", "cpu", 10, {{"service", "FlipSvc"}}, kNow - 20 * kMinute),
      Series("flipc", "up", 0, {}, kNow - kMinute),
  };
  HealthRules rules;
  rules.services["FlipSvc"].min_healthy = 2;
  FleetHealth f = AssessFleet(fleet, rules, kNow);
  ASSERT_EQ(f.servers.size(), 2u);
  EXPECT_EQ(f.servers[1].host, "flipc");
  EXPECT_EQ(f.servers[1].service, "FlipSvc");
  EXPECT_EQ(f.servers[1].status, HealthStatus::kDown);
  EXPECT_FALSE(f.servers[1].cpu.has_value());  // Its old cpu is not judged.
  ASSERT_EQ(f.services.size(), 1u);
  EXPECT_EQ(f.services[0].servers, 2);
  EXPECT_EQ(f.services[0].healthy, 1);
  EXPECT_TRUE(f.services[0].below_minimum);
}

TEST(FleetHealth, KnownServicesAsAssigned) {
  std::vector<LatestState> fleet;
  AddPolled(&fleet, "r1", "RoleService", 10, 10);
  AddPolled(&fleet, "r2", "RoleService", 10, 10);
  AddPolled(&fleet, "a1", "AuthService", 10, 10);
  AddPolled(&fleet, "gone", "", 0, 0, /*up=*/0);
  fleet.push_back(Series("mover", "cpu", 1, {{"service", "Old"}}, kNow - 30 * kMinute));
  fleet.push_back(Series("mover", "cpu", 1, {{"service", "New"}}, kNow - kMinute));
  EXPECT_EQ(KnownServices(fleet, HealthRules()),
            (std::vector<std::string>{"AuthService", "New", "RoleService"}));
  EXPECT_TRUE(KnownServices({}, HealthRules()).empty());
}

TEST(FleetHealth, EmptyFleetIsHealthy) {
  FleetHealth f = AssessFleet({}, HealthRules(), kNow);
  EXPECT_TRUE(f.servers.empty());
  EXPECT_FALSE(f.AnyUnhealthy());
}

TEST(HealthStatus, NamesRoundTrip) {
  for (HealthStatus s : {HealthStatus::kHealthy, HealthStatus::kDegraded, HealthStatus::kUnhealthy,
                         HealthStatus::kDown, HealthStatus::kStale}) {
    HealthStatus parsed;
    ASSERT_TRUE(ParseHealthStatus(HealthStatusName(s), &parsed));
    EXPECT_EQ(parsed, s);
  }
  HealthStatus parsed;
  EXPECT_TRUE(ParseHealthStatus("unhealthy", &parsed));
  EXPECT_FALSE(ParseHealthStatus("sick", &parsed));
}

}  // namespace
}  // namespace sonde::health
