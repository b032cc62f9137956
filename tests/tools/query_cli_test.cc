// The real `sonde` binary (hosts, metrics, get, latest) against a real LMDB
// store written by this process (query_fixture.h has the data), in every
// format, and against a real summarizer's HTTP API (--url).
#include <gtest/gtest.h>

#include <thread>

#include "query_fixture.h"
#include "sonde/api_json.h"
#include "sonde/clock.h"
#include "sonde/summarizer.h"

namespace sonde::testing {
namespace {

using QueryCli = QueryFixture;

// Expects exit code 0, this stdout and nothing on stderr.
#define EXPECT_OUTPUT(result, expected)   \
  do {                                    \
    const RunResult& r_ = (result);       \
    EXPECT_EQ(r_.exit_code, 0) << r_.err; \
    EXPECT_EQ(r_.out, expected);          \
    EXPECT_EQ(r_.err, "");                \
  } while (0)

// Expects this exit code, nothing on stdout and exactly this stderr line.
#define EXPECT_ERROR(result, code, line)         \
  do {                                           \
    const RunResult& r_ = (result);              \
    EXPECT_EQ(r_.exit_code, code);               \
    EXPECT_EQ(r_.out, "");                       \
    EXPECT_EQ(r_.err, std::string(line) + "\n"); \
  } while (0)

// ---- sonde hosts --------------------------------------------------------------------

TEST_F(QueryCli, HostsTable) {
  EXPECT_OUTPUT(Sonde({"hosts"}),
                "HOST    LAST SEEN               AGE  FIRST SEEN\n"
                "db-01   2024-05-01T12:00:50Z  4m10s  2024-05-01T12:00:50Z\n"
                "web-01  2024-05-01T12:04:30Z    30s  2024-05-01T12:04:00Z\n"
                "web-02  2024-05-01T12:03:15Z  1m45s  2024-05-01T12:03:15Z\n");
  // Narrower than the table: FIRST SEEN goes first.
  EXPECT_OUTPUT(Sonde({"hosts"}, 40),
                "HOST    LAST SEEN               AGE\n"
                "db-01   2024-05-01T12:00:50Z  4m10s\n"
                "web-01  2024-05-01T12:04:30Z    30s\n"
                "web-02  2024-05-01T12:03:15Z  1m45s\n");
}

TEST_F(QueryCli, HostsJson) {
  EXPECT_OUTPUT(
      Sonde({"hosts", "--format", "json"}),
      R"({"hosts":[)"
      R"({"age_ms":250000,"first_seen_ms":1714564850000,"host":"db-01","last_seen_ms":1714564850000},)"
      R"({"age_ms":30000,"first_seen_ms":1714565040000,"host":"web-01","last_seen_ms":1714565070000},)"
      R"({"age_ms":105000,"first_seen_ms":1714564995000,"host":"web-02","last_seen_ms":1714564995000}]})"
      "\n");
}

TEST_F(QueryCli, HostsCsv) {
  EXPECT_OUTPUT(Sonde({"hosts", "--format", "csv"}),
                "host,last_seen,age_ms,first_seen\n"
                "db-01,2024-05-01T12:00:50Z,250000,2024-05-01T12:00:50Z\n"
                "web-01,2024-05-01T12:04:30Z,30000,2024-05-01T12:04:00Z\n"
                "web-02,2024-05-01T12:03:15Z,105000,2024-05-01T12:03:15Z\n");
}

TEST_F(QueryCli, HostsLookingBackLeaveOutHostsNotSeenYet) {
  // web-01 was first seen at 12:00:10 now; web-02 first reported at 12:03:15.
  WriteLatest("web-01", "boot", {}, 1, kT0 + 10000);
  const std::vector<std::string> args = {"hosts", "--db", db(), "--now", "2024-05-01T12:03:00Z"};
  std::vector<std::string> csv = args;
  csv.insert(csv.end(), {"--format", "csv"});
  // web-02 had not reported at 12:03: left out. web-01 reported again after
  // 12:03: its stored last-seen time stays, its age is 0, never negative.
  EXPECT_OUTPUT(SondeRaw(csv),
                "host,last_seen,age_ms,first_seen\n"
                "db-01,2024-05-01T12:00:50Z,130000,2024-05-01T12:00:50Z\n"
                "web-01,2024-05-01T12:04:30Z,0,2024-05-01T12:00:10Z\n");
  std::vector<std::string> json = args;
  json.insert(json.end(), {"--format", "json"});
  RunResult r = SondeRaw(json);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("web-02"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"({"age_ms":0,"first_seen_ms":1714564810000,"host":"web-01")"),
            std::string::npos)
      << r.out;
  EXPECT_OUTPUT(SondeRaw(args, {{"COLUMNS", "100"}}),
                "HOST    LAST SEEN               AGE  FIRST SEEN\n"
                "db-01   2024-05-01T12:00:50Z  2m10s  2024-05-01T12:00:50Z\n"
                "web-01  2024-05-01T12:04:30Z     0s  2024-05-01T12:00:10Z\n");
}

TEST_F(QueryCli, QueryFlagsMayComeBeforeTheSubcommand) {
  const RunResult after = Sonde({"hosts", "--format", "csv"});
  EXPECT_OUTPUT(SondeRaw({"--db", db(), "--now", kNow, "--format=csv", "hosts"}), after.out);
  EXPECT_OUTPUT(
      SondeRaw({"--db", db(), "--now", kNow, "latest", "--where", "role=db", "--columns", "host"}),
      "HOST\ndb-01\n");
}

// ---- sonde metrics ------------------------------------------------------------------

TEST_F(QueryCli, MetricsTable) {
  EXPECT_OUTPUT(Sonde({"metrics", "web-01"}),
                "METRIC    TAGS            KIND     VALUE  AGE  TIME\n"
                "cpu       core=0,dc=east  gauge       90  30s  2024-05-01T12:04:30Z\n"
                "cpu       core=1,dc=east  gauge        5   1m  2024-05-01T12:04:00Z\n"
                "mem.used  dc=east         gauge     2.5G  40s  2024-05-01T12:04:20Z\n"
                "requests  dc=east         counter    300  50s  2024-05-01T12:04:10Z\n");
}

TEST_F(QueryCli, MetricsJson) {
  const std::string id = api::FormatSeriesId(
      SeriesKey::Make("web-02", "cpu", {{"core", "0"}, {"dc", "west"}})->Hash());
  EXPECT_OUTPUT(Sonde({"metrics", "web-02", "--format", "json"}),
                R"({"host":"web-02","series":[{"age_ms":105000,"host":"web-02","id":")" + id +
                    R"(","kind":"gauge","name":"cpu","tags":{"core":"0","dc":"west"},)"
                    R"("timestamp_ms":1714564995000,"value":75.0}]})"
                    "\n");
}

TEST_F(QueryCli, MetricsCsv) {
  EXPECT_OUTPUT(Sonde({"metrics", "web-01", "--format", "csv"}),
                "metric,tags,kind,value,age_ms,time\n"
                "cpu,\"core=0,dc=east\",gauge,90,30000,2024-05-01T12:04:30Z\n"
                "cpu,\"core=1,dc=east\",gauge,5,60000,2024-05-01T12:04:00Z\n"
                "mem.used,dc=east,gauge,2500000000,40000,2024-05-01T12:04:20Z\n"
                "requests,dc=east,counter,300,50000,2024-05-01T12:04:10Z\n");
}

// ---- sonde get ----------------------------------------------------------------------

TEST_F(QueryCli, GetTable) {
  // P50 and P99 are of every sample shown: cpu core=0 holds 10 20 30 40 50
  // 60 90, whose p50 is 40 and p99 90 (nearest ranks 4 and 7), within the
  // sketch's 2 %.
  EXPECT_OUTPUT(
      Sonde({"get", "web-01"}),
      "METRIC    TAGS            KIND     COUNT    AVG   MIN   MAX    P50    P99  TREND\n"
      "cpu       core=0,dc=east  gauge        7  42.86    10    90  40.58  89.59  ▁▂▄ █\n"
      "cpu       core=1,dc=east  gauge        5      5     5     5      5      5  ▄▄▄▄▄\n"
      "mem.used  dc=east         gauge        1   2.5G  2.5G  2.5G   2.5G   2.5G      ▄\n"
      "requests  dc=east         counter      5    3/s    60   300  182.8  294.3  ▁▃▅▆█\n");
}

TEST_F(QueryCli, GetLabelMatchesNamesCaseInsensitivelyBySubstring) {
  const std::string cpu =
      "METRIC  TAGS            KIND   COUNT    AVG  MIN  MAX    P50    P99  TREND\n"
      "cpu     core=0,dc=east  gauge      7  42.86   10   90  40.58  89.59  ▁▂▄ █\n"
      "cpu     core=1,dc=east  gauge      5      5    5    5      5      5  ▄▄▄▄▄\n";
  EXPECT_OUTPUT(Sonde({"get", "web-01", "CPU"}), cpu);
  EXPECT_OUTPUT(Sonde({"get", "web-01", "pU"}), cpu);
  EXPECT_OUTPUT(Sonde({"get", "web-01", "M.U"}),
                "METRIC    TAGS     KIND   COUNT   AVG   MIN   MAX   P50   P99  TREND\n"
                "mem.used  dc=east  gauge      1  2.5G  2.5G  2.5G  2.5G  2.5G  ▄\n");
}

TEST_F(QueryCli, GetFitsTheTerminal) {
  // 60 columns: the tags are cut, then KIND and P50 are left out; the
  // trend stays.
  EXPECT_OUTPUT(Sonde({"get", "web-01"}, 60),
                "METRIC    TAGS        COUNT    AVG   MIN   MAX    P99  TREND\n"
                "cpu       core=0,dc…      7  42.86    10    90  89.59  ▁▂▄ █\n"
                "cpu       core=1,dc…      5      5     5     5      5  ▄▄▄▄▄\n"
                "mem.used  dc=east         1   2.5G  2.5G  2.5G   2.5G      ▄\n"
                "requests  dc=east         5    3/s    60   300  294.3  ▁▃▅▆█\n");
  // 56 columns: MIN goes too, and the tags get some width back.
  EXPECT_OUTPUT(Sonde({"get", "web-01"}, 56),
                "METRIC    TAGS          COUNT    AVG   MAX    P99  TREND\n"
                "cpu       core=0,dc=e…      7  42.86    90  89.59  ▁▂▄ █\n"
                "cpu       core=1,dc=e…      5      5     5      5  ▄▄▄▄▄\n"
                "mem.used  dc=east           1   2.5G  2.5G   2.5G      ▄\n"
                "requests  dc=east           5    3/s   300  294.3  ▁▃▅▆█\n");
  // 44 columns: P99 goes too.
  EXPECT_OUTPUT(Sonde({"get", "web-01", "cpu"}, 44),
                "METRIC  TAGS        COUNT    AVG  MAX  TREND\n"
                "cpu     core=0,dc…      7  42.86   90  ▁▂▄ █\n"
                "cpu     core=1,dc…      5      5    5  ▄▄▄▄▄\n");
}

TEST_F(QueryCli, GetSince) {
  // Since 12:03: the windows of 12:03 and 12:04 only.
  EXPECT_OUTPUT(Sonde({"get", "web-01", "--since", "2m"}),
                "METRIC    TAGS            KIND     COUNT    AVG   MIN   MAX    P50    P99  TREND\n"
                "cpu       core=0,dc=east  gauge        1     90    90    90     90     90   ▄\n"
                "cpu       core=1,dc=east  gauge        2      5     5     5      5      5  ▄▄\n"
                "mem.used  dc=east         gauge        1   2.5G  2.5G  2.5G   2.5G   2.5G   ▄\n"
                "requests  dc=east         counter      2  4.5/s   240   300  241.6  294.3  ▁█\n");
  // Nothing since 12:04:59 for db-01: an empty answer, with a note.
  RunResult r = Sonde({"get", "db-01", "--since", "1s"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "sonde: no minute windows in the last 1s (try a longer --since, or --res hour)\n");
}

TEST_F(QueryCli, GetHours) {
  // The hour merges the same samples: the same quantiles as the minutes.
  EXPECT_OUTPUT(Sonde({"get", "web-01", "--res", "hour"}),
                "METRIC  TAGS            KIND   COUNT    AVG  MIN  MAX    P50    P99  TREND\n"
                "cpu     core=0,dc=east  gauge      7  42.86   10   90  40.58  89.59  ▄\n");
}

TEST_F(QueryCli, GetWindows) {
  EXPECT_OUTPUT(Sonde({"get", "web-01", "r", "--windows"}),
                "METRIC    TAGS     START (UTC)       COUNT  AVG  MIN  MAX  P50  P90  P99  LAST\n"
                "requests  dc=east  2024-05-01 12:00      1  1/s   60   60   60   60   60    60\n"
                "requests  dc=east  2024-05-01 12:01      1  2/s  120  120  120  120  120   120\n"
                "requests  dc=east  2024-05-01 12:02      1  3/s  180  180  180  180  180   180\n"
                "requests  dc=east  2024-05-01 12:03      1  4/s  240  240  240  240  240   240\n"
                "requests  dc=east  2024-05-01 12:04      1  5/s  300  300  300  300  300   300\n");
  EXPECT_OUTPUT(
      Sonde({"get", "web-01", "cpu", "--windows", "--since", "3m"}),
      "METRIC  TAGS            START (UTC)        COUNT  AVG  MIN  MAX    P50  P90  P99  LAST\n"
      "cpu     core=0,dc=east  2024-05-01 12:02       3   50   40   60  49.47   60   60    60\n"
      "cpu     core=0,dc=east  2024-05-01 12:04*      1   90   90   90     90   90   90    90\n"
      "cpu     core=1,dc=east  2024-05-01 12:02       1    5    5    5      5    5    5     5\n"
      "cpu     core=1,dc=east  2024-05-01 12:03       1    5    5    5      5    5    5     5\n"
      "cpu     core=1,dc=east  2024-05-01 12:04       1    5    5    5      5    5    5     5\n");
}

TEST_F(QueryCli, GetCsvIsOneRowPerSeriesOrPerWindow) {
  EXPECT_OUTPUT(
      Sonde({"get", "web-01", "req", "--format", "csv", "--since", "2m"}),
      "host,metric,tags,kind,resolution,start,end,windows,count,sum,avg,min,max,p50,p90,p99,rate\n"
      "web-01,requests,dc=east,counter,minute,2024-05-01T12:03:00Z,2024-05-01T12:05:00Z,2,2,540,"
      "270,240,300,241.57939070431988,294.2850022414386,294.2850022414386,4.5\n");
  EXPECT_OUTPUT(
      Sonde({"get", "web-01", "req", "--format", "csv", "--since", "2m", "--windows"}),
      "host,metric,tags,kind,resolution,start,end,count,sum,avg,min,max,last,p50,p90,p99,rate,"
      "open\n"
      "web-01,requests,dc=east,counter,minute,2024-05-01T12:03:00Z,2024-05-01T12:04:00Z,1,240,240,"
      "240,240,240,240,240,240,4,false\n"
      "web-01,requests,dc=east,counter,minute,2024-05-01T12:04:00Z,2024-05-01T12:05:00Z,1,300,300,"
      "300,300,300,300,300,300,5,false\n");
}

TEST_F(QueryCli, GetJson) {
  const std::string id =
      api::FormatSeriesId(SeriesKey::Make("web-01", "requests", {{"dc", "east"}})->Hash());
  EXPECT_OUTPUT(
      Sonde({"get", "web-01", "req", "--format", "json", "--since", "1m"}),
      R"({"from_ms":1714565040000,"host":"web-01","label":"req","resolution":"minute",)"
      R"("series":[{"series":{"host":"web-01","id":")" +
          id +
          R"(","kind":"counter","name":"requests","tags":{"dc":"east"},)"
          R"("timestamp_ms":1714565050000,"value":300.0},)"
          R"("summary":{"avg":300.0,"count":1,"end_ms":1714565100000,"max":300.0,"min":300.0,)"
          R"("p50":300.0,"p90":300.0,"p99":300.0,"rate":5.0,"start_ms":1714565040000,)"
          R"("sum":300.0,"windows":1},)"
          R"("windows":[{"avg":300.0,"count":1,"end_ms":1714565100000,"last":300.0,)"
          R"("last_ms":1714565041000,"max":300.0,"min":300.0,"open":false,"p50":300.0,)"
          R"("p90":300.0,"p99":300.0,"rate":5.0,"start_ms":1714565040000,"sum":300.0}]}],)"
          R"("to_ms":1714565160000})"
          "\n");
}

// Counter increments of 10 a second from `start_ms` for `seconds` seconds.
RollupWindow SteadyCounter(Resolution res, int64_t start_ms, int seconds, bool open) {
  RollupWindow w(MetricKind::kCounter, res, start_ms);
  for (int i = 0; i < seconds; ++i) w.Add(10, start_ms + i * 1000);
  w.set_open(open);
  return w;
}

TEST_F(QueryCli, GetOpenWindowRateIsOverTheTimeElapsed) {
  // A steady 10/s counter read at 12:04:20: the closed 12:03 over its
  // minute, the open 12:04 over its 20 s and the open 12:00 hour over its
  // 260 s all read 10/s (not 3.3/s and 0.72/s over their whole length).
  WriteWindows("web-03", "logins", MetricKind::kCounter,
               {SteadyCounter(Resolution::kMinute, kT0 + 3 * kMinute, 60, false),
                SteadyCounter(Resolution::kMinute, kT0 + 4 * kMinute, 20, true),
                SteadyCounter(Resolution::kHour, kT0, 260, true)});
  auto get = [this](std::vector<std::string> args, const char* now) {
    args.insert(args.begin(), {"get", "web-03"});
    args.insert(args.end(), {"--since", "2m", "--db", db(), "--now", now});
    return SondeRaw(args, {{"COLUMNS", "100"}});
  };
  EXPECT_OUTPUT(
      get({"--format", "csv", "--windows"}, "2024-05-01T12:04:20Z"),
      "host,metric,tags,kind,resolution,start,end,count,sum,avg,min,max,last,p50,p90,p99,rate,"
      "open\n"
      "web-03,logins,,counter,minute,2024-05-01T12:03:00Z,2024-05-01T12:04:00Z,60,600,10,10,10,10,"
      "10,10,10,10,false\n"
      "web-03,logins,,counter,minute,2024-05-01T12:04:00Z,2024-05-01T12:05:00Z,20,200,10,10,10,10,"
      "10,10,10,10,true\n");
  // The summary: 800 over 12:03:00 to now.
  EXPECT_OUTPUT(
      get({"--format", "csv"}, "2024-05-01T12:04:20Z"),
      "host,metric,tags,kind,resolution,start,end,windows,count,sum,avg,min,max,p50,p90,p99,rate\n"
      "web-03,logins,,counter,minute,2024-05-01T12:03:00Z,2024-05-01T12:05:00Z,2,80,800,10,10,10,"
      "10,10,10,10\n");
  EXPECT_OUTPUT(
      get({"--format", "csv", "--windows", "--res", "hour"}, "2024-05-01T12:04:20Z"),
      "host,metric,tags,kind,resolution,start,end,count,sum,avg,min,max,last,p50,p90,p99,rate,"
      "open\n"
      "web-03,logins,,counter,hour,2024-05-01T12:00:00Z,2024-05-01T13:00:00Z,260,2600,10,10,10,10,"
      "10,10,10,10,true\n");
  // The table's AVG of a counter is that rate.
  const RunResult table = get({}, "2024-05-01T12:04:20Z");
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("counter     80  10/s"), std::string::npos) << table.out;
  // Read by a clock at the open minute's start, behind its samples (the
  // newest at 12:04:19): it covers up to that sample, 200 over 19 s.
  const RunResult start = get({"--format", "csv", "--windows"}, "2024-05-01T12:04:00Z");
  EXPECT_EQ(start.exit_code, 0) << start.err;
  EXPECT_NE(start.out.find(",200,10,10,10,10,10,10,10,10.526315789473685,true\n"),
            std::string::npos)
      << start.out;
}

TEST_F(QueryCli, GetUnknownHostOrMetric) {
  EXPECT_ERROR(Sonde({"get", "web-9"}), 1,
               "sonde: error: host 'web-9' has not reported (known: db-01, web-01, web-02)");
  EXPECT_ERROR(Sonde({"get", "web-01", "disk"}), 1,
               "sonde: error: host 'web-01' has no metric matching 'disk' (known: cpu, mem.used, "
               "requests)");
}

// ---- sonde latest -------------------------------------------------------------------

TEST_F(QueryCli, LatestTable) {
  EXPECT_OUTPUT(Sonde({"latest"}),
                "HOST    METRIC     TAGS             KIND     VALUE    AGE\n"
                "db-01   disk.free  dc=east,role=db  gauge     0.25  4m10s\n"
                "web-01  cpu        core=0,dc=east   gauge       90    30s\n"
                "web-01  cpu        core=1,dc=east   gauge        5     1m\n"
                "web-01  mem.used   dc=east          gauge     2.5G    40s\n"
                "web-01  requests   dc=east          counter    300    50s\n"
                "web-02  cpu        core=0,dc=west   gauge       75  1m45s\n");
  // Narrow: KIND is left out first.
  EXPECT_OUTPUT(Sonde({"latest", "--host", "db-01"}, 47),
                "HOST   METRIC     TAGS             VALUE    AGE\n"
                "db-01  disk.free  dc=east,role=db   0.25  4m10s\n");
}

TEST_F(QueryCli, LatestWhereSortColumnsLimit) {
  EXPECT_OUTPUT(Sonde({"latest", "--where", "dc=east", "--sort", "-value", "--limit", "3"}),
                "HOST    METRIC    TAGS            KIND     VALUE  AGE\n"
                "web-01  mem.used  dc=east         gauge     2.5G  40s\n"
                "web-01  requests  dc=east         counter    300  50s\n"
                "web-01  cpu       core=0,dc=east  gauge       90  30s\n");
  EXPECT_OUTPUT(Sonde({"latest", "--metric", "CPU", "--columns", "host,core,dc,value", "--sort",
                       "dc,-value"}),
                "HOST    CORE  DC    VALUE\n"
                "web-01  0     east     90\n"
                "web-01  1     east      5\n"
                "web-02  0     west     75\n");
  EXPECT_OUTPUT(Sonde({"latest", "--where", "value>50", "--where", "host~WEB", "--where", "age<1m",
                       "--columns", "host,metric,value,age"}),
                "HOST    METRIC    VALUE  AGE\n"
                "web-01  cpu          90  30s\n"
                "web-01  mem.used   2.5G  40s\n"
                "web-01  requests    300  50s\n");
  // Filters that leave nothing: an empty table, not an error.
  RunResult r = Sonde({"latest", "--where", "dc=north"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "HOST  METRIC  TAGS  KIND  VALUE  AGE\n");
  EXPECT_EQ(r.err, "sonde: no series match\n");
}

TEST_F(QueryCli, LatestWhereComparesVersionsInNaturalOrder) {
  for (const char* version : {"1.0.8", "1.0.9", "1.0.10", "2.0"}) {
    WriteLatest(std::string("app-") + version, "up", {{"version", version}}, 1, kT0 + 60000);
  }
  EXPECT_OUTPUT(Sonde({"latest", "--where", "version>1.0.9", "--columns", "host,version", "--sort",
                       "version"}),
                "HOST        VERSION\n"
                "app-1.0.10  1.0.10\n"
                "app-2.0     2.0\n");
}

TEST_F(QueryCli, LatestJsonAndCsv) {
  EXPECT_OUTPUT(Sonde({"latest", "--host", "web-01", "--metric", "mem", "--format", "json",
                       "--columns", "host,metric,dc,role,value,time"}),
                R"({"latest":[{"dc":"east","host":"web-01","metric":"mem.used","role":null,)"
                R"("timestamp_ms":1714565060000,"value":2500000000.0}]})"
                "\n");
  const std::string id = api::FormatSeriesId(
      SeriesKey::Make("db-01", "disk.free", {{"dc", "east"}, {"role", "db"}})->Hash());
  EXPECT_OUTPUT(Sonde({"latest", "--where", "role=db", "--format", "json"}),
                R"({"latest":[{"age_ms":250000,"host":"db-01","id":")" + id +
                    R"(","kind":"gauge","name":"disk.free","tags":{"dc":"east","role":"db"},)"
                    R"("timestamp_ms":1714564850000,"value":0.25}]})"
                    "\n");
  EXPECT_OUTPUT(Sonde({"latest", "--format", "csv", "--sort", "age"}),
                "host,metric,tags,kind,value,age_ms\n"
                "web-01,cpu,\"core=0,dc=east\",gauge,90,30000\n"
                "web-01,mem.used,dc=east,gauge,2500000000,40000\n"
                "web-01,requests,dc=east,counter,300,50000\n"
                "web-01,cpu,\"core=1,dc=east\",gauge,5,60000\n"
                "web-02,cpu,\"core=0,dc=west\",gauge,75,105000\n"
                "db-01,disk.free,\"dc=east,role=db\",gauge,0.25,250000\n");
}

TEST_F(QueryCli, LatestUnknownHostOrMetric) {
  EXPECT_ERROR(Sonde({"latest", "--host", "nope"}), 1,
               "sonde: error: host 'nope' has not reported (known: db-01, web-01, web-02)");
  EXPECT_ERROR(Sonde({"latest", "--metric", "zzz"}), 1,
               "sonde: error: no metric matching 'zzz' (known: cpu, disk.free, mem.used, "
               "requests)");
  EXPECT_ERROR(Sonde({"latest", "--host", "web-02", "--metric", "mem"}), 1,
               "sonde: error: no metric matching 'mem' on host 'web-02' (known: cpu)");
}

// ---- errors and exit codes ----------------------------------------------------------

TEST_F(QueryCli, UnknownHostInMetrics) {
  EXPECT_ERROR(Sonde({"metrics", "web-9"}), 1,
               "sonde: error: host 'web-9' has not reported (known: db-01, web-01, web-02)");
}

TEST_F(QueryCli, MissingDatabase) {
  const std::string dir = db() + "/nothing-here";
  const std::string hint =
      ": start the summarizer to create it (sonde-summarizer --data-dir " + dir +
      "), point at another one with --db DIR, or ask a running summarizer with "
      "--url http://127.0.0.1:7780";
  EXPECT_ERROR(SondeRaw({"hosts", "--db", dir}), 1, "sonde: error: no database at " + dir + hint);
  // Without --db: $SONDE_DATA_DIR, as the summarizer.
  EXPECT_ERROR(SondeRaw({"latest"}, {{"SONDE_DATA_DIR", dir}}), 1,
               "sonde: error: no database at " + dir + hint);
  RunResult r = SondeRaw({"hosts"}, {{"SONDE_DATA_DIR", db()}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(QueryCli, UsageErrorsExitTwo) {
  EXPECT_ERROR(Sonde({"get", "web-01", "--since", "10x"}), 2,
               "sonde: error: --since: '10x': unknown unit 'x' (expected ms, s, m, h or d) (see "
               "--help)");
  EXPECT_ERROR(Sonde({"get", "web-01", "--since", "0"}), 2,
               "sonde: error: --since: '0': must be more than 0 (e.g. 10m, 1h, 2d) (see --help)");
  EXPECT_ERROR(Sonde({"get", "web-01", "--res", "day"}), 2,
               "sonde: error: --res: 'day': expected minute or hour (see --help)");
  EXPECT_ERROR(Sonde({"latest", "--where", "value>lots"}), 2,
               "sonde: error: --where 'value>lots': 'lots' is not a number");
  EXPECT_ERROR(Sonde({"latest", "--where", "dc"}), 2,
               "sonde: error: --where 'dc': expected COLUMN=VALUE (or !=, ~, <, <=, >, >=)");
  EXPECT_ERROR(SondeRaw({"hosts", "--now", "yesterday", "--db", db()}), 2,
               "sonde: error: --now: 'yesterday': expected epoch seconds or an ISO-8601 UTC time "
               "such as 2024-05-01T12:00:00Z (see --help)");
  EXPECT_ERROR(SondeRaw({"hosts", "--url", "ftp://x"}), 2,
               "sonde: error: --url 'ftp://x': expected http://HOST:PORT, e.g. "
               "http://127.0.0.1:7780");
  RunResult r = SondeRaw({"hosts", "--db", db(), "--url", "http://127.0.0.1:7780"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("excludes"), std::string::npos) << r.err;
  r = SondeRaw({"get"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("HOST is required"), std::string::npos) << r.err;
}

TEST_F(QueryCli, ColourOnlyWhenAskedOrOnATerminal) {
  // Not a terminal (a pipe): no escapes, even with TERM set.
  RunResult r = SondeRaw({"hosts", "--db", db()}, {{"TERM", "xterm"}});
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  r = Sonde({"get", "db-01", "--color", "always"});
  EXPECT_EQ(r.out,
            "\x1b[1mMETRIC\x1b[0m     \x1b[1mTAGS\x1b[0m             \x1b[1mKIND\x1b[0m   "
            "\x1b[1mCOUNT\x1b[0m   \x1b[1mAVG\x1b[0m   \x1b[1mMIN\x1b[0m   \x1b[1mMAX\x1b[0m   "
            "\x1b[1mP50\x1b[0m   \x1b[1mP99\x1b[0m  \x1b[1mTREND\x1b[0m\n"
            "disk.free  dc=east,role=db  gauge      1  0.25  0.25  0.25  0.25  0.25  "
            "\x1b[36m▄\x1b[0m\n");
}

TEST_F(QueryCli, LogsOnlyWhenVerbose) {
  // No log lines by default, even with SPDLOG_LEVEL set for the services.
  const RunResult quiet = SondeRaw({"hosts", "--db", db()}, {{"SPDLOG_LEVEL", "debug"}});
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.err, "");
  // A read-only open is debug detail: not at info.
  const RunResult info = SondeRaw({"--log-level", "info", "hosts", "--db", db()});
  EXPECT_EQ(info.err, "");
  EXPECT_EQ(info.out, quiet.out);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--verbose", "hosts", "--db", db()},
        std::vector<std::string>{"hosts", "--db", db(), "-v"},
        std::vector<std::string>{"hosts", "--db", db(), "--log-level", "debug"}}) {
    const RunResult verbose = SondeRaw(args);
    EXPECT_EQ(verbose.exit_code, 0) << verbose.err;
    EXPECT_NE(verbose.err.find("event=store_open dir=" + db() + " mode=read"), std::string::npos)
        << verbose.err;
    EXPECT_EQ(verbose.out, quiet.out);  // Logs never reach stdout.
  }
}

// ---- --url: the same answers from a running summarizer ------------------------------

class QueryCliUrl : public QueryFixture {
 protected:
  void SetUp() override {
    QueryFixture::SetUp();
    ASSERT_FALSE(HasFatalFailure());
    CloseStore();  // The summarizer becomes the writer.
    summarizer::SummarizerOptions options;
    options.data_dir = db();
    options.from = {"tcp://127.0.0.1:9"};  // No broker: nothing new arrives.
    options.http = "127.0.0.1:0";
    options.clock = &clock_;
    auto s = summarizer::Summarizer::Create(std::move(options));
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    summarizer_ = std::move(*s);
    thread_ = std::thread([this] { summarizer_->Run().IgnoreError(); });
    url_ = "http://127.0.0.1:" + std::to_string(summarizer_->http_port());
  }
  void TearDown() override {
    if (thread_.joinable()) {
      summarizer_->Stop();
      thread_.join();
    }
    summarizer_.reset();
  }

  // `sonde ARGS --url URL --now kNow`, and the same with --db; the answers
  // must be the same.
  void ExpectSameAnswer(std::vector<std::string> args) {
    std::vector<std::string> remote = args;
    remote.insert(remote.end(), {"--url", url_, "--now", kNow});
    const RunResult over_http = SondeRaw(remote, {{"COLUMNS", "100"}});
    const RunResult local = Sonde(args);
    EXPECT_EQ(over_http.exit_code, local.exit_code) << over_http.err;
    EXPECT_EQ(over_http.out, local.out);
    EXPECT_EQ(over_http.err, local.err);
    EXPECT_FALSE(local.out.empty() && local.err.empty());
  }

  FakeClock clock_{kT0 + 5 * kMinute};
  std::unique_ptr<summarizer::Summarizer> summarizer_;
  std::thread thread_;
  std::string url_;
};

TEST_F(QueryCliUrl, SameAnswersAsTheDatabase) {
  for (const char* format : {"table", "json", "csv"}) {
    SCOPED_TRACE(format);
    ExpectSameAnswer({"hosts", "--format", format});
    ExpectSameAnswer({"metrics", "web-01", "--format", format});
    ExpectSameAnswer({"get", "web-01", "--format", format});
    ExpectSameAnswer({"get", "web-01", "CPU", "--since", "3m", "--format", format});
    ExpectSameAnswer({"latest", "--format", format});
    ExpectSameAnswer({"latest", "--where", "dc=east", "--where", "value>10", "--format", format});
  }
  ExpectSameAnswer({"get", "web-01", "--windows"});
  ExpectSameAnswer({"get", "web-01", "--res", "hour"});
}

TEST_F(QueryCliUrl, SameErrors) {
  ExpectSameAnswer({"get", "web-9"});
  ExpectSameAnswer({"metrics", "web-9"});
  ExpectSameAnswer({"get", "web-01", "disk"});
  ExpectSameAnswer({"latest", "--host", "nope"});
  ExpectSameAnswer({"latest", "--metric", "zzz"});
}

TEST_F(QueryCliUrl, UnreachableSummarizer) {
  // Port 9 (discard) on loopback: nothing listens there in the test.
  RunResult r = SondeRaw({"hosts", "--url", "http://127.0.0.1:9", "--timeout", "5s"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(
      r.err.rfind("sonde: error: cannot reach the summarizer at http://127.0.0.1:9/api/v1/hosts: ",
                  0),
      0u)
      << r.err;
}

}  // namespace
}  // namespace sonde::testing
