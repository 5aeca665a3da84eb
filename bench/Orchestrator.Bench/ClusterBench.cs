using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Npgsql;
using Orchestrator.Simulator;

namespace Orchestrator.Bench;

/// <summary>
/// Issue 22, scale-out: --nodes server processes in cluster mode on one fresh PostgreSQL database (--connection), the
/// simulator in the bench process. (1) End-to-end throughput: --tasks image tasks POSTed round-robin through every
/// node's API (64 at a time) to a zero-time provider, the account at --qps (the cluster-wide throttle's limit, also the
/// simulator's), until none is unfinished; the achieved provider calls per second beside the limit is the throttle's
/// permit rate. (2) With two nodes or more: a dead node's tasks. 300 hour-long tasks spread over the nodes, polled every
/// second or two; the last node killed with SIGKILL; the time until every task was queried again (the survivors' own
/// tasks within their poll interval, the dead node's after the downing, 5 s here, and the resumer's wake).
/// </summary>
public static class ClusterBench
{
    public static async Task<int> RunAsync(int nodes, int tasks, double qps, string connection, string dataDirectory)
    {
        ScenarioReport.Header("cluster", $"{nodes} node(s), {tasks:N0} tasks, account at {qps} QPS", dataDirectory);
        var ok = await ThroughputAsync(nodes, tasks, qps, connection, dataDirectory);
        if (nodes >= 2) ok &= await ResumeAsync(nodes, qps, connection, dataDirectory);
        Console.WriteLine($"load average at the end: {ScenarioReport.LoadAverage()}");
        return ok ? 0 : 1;
    }

    private static async Task<bool> ThroughputAsync(int nodes, int tasks, double qps, string connection, string dataDirectory)
    {
        await using var sim = await BenchSimulator.StartAsync(new SimulatorOptions { ImageMinSeconds = 0, ImageMaxSeconds = 0, QpsLimit = qps });
        using var db = Database.Create(connection);
        var cluster = await StartAsync(nodes, sim.BaseUrl, qps, db.ConnectionString, Path.Combine(dataDirectory, "throughput"), []);
        try
        {
            var load = ScenarioReport.LoadAverage();
            var clock = Stopwatch.StartNew();
            var next = -1;
            var refused = 0;
            var later = 0;
            await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i < tasks; i = Interlocked.Increment(ref next))
                {
                    // 503 (the account's queue or the journal full) and 429 say "later": sent again, as a client would.
                    for (var attempt = 0; ; attempt++)
                    {
                        using var response = await cluster[(i + attempt) % nodes].Http.PostAsJsonAsync("/v1/tasks",
                            new { provider = "simulator", kind = "text-to-image", model = "kling-v1-5", prompt = $"cluster bench {i}" });
                        if (response.IsSuccessStatusCode) break;
                        if ((int)response.StatusCode is not (503 or 429) || attempt > 600) { Interlocked.Increment(ref refused); break; }
                        Interlocked.Increment(ref later);
                        await Task.Delay(TimeSpan.FromMilliseconds(100));
                    }
                }
            }));
            var accepted = clock.Elapsed.TotalSeconds;
            while (await cluster[0].UnfinishedTasksAsync() > 0 && clock.Elapsed < TimeSpan.FromMinutes(15)) await Task.Delay(200);
            var seconds = clock.Elapsed.TotalSeconds;
            var stats = sim.Simulator.Stats();
            var calls = stats.Submits + stats.Polls + stats.PageQueries;
            ScenarioReport.Figure("throughput", $"{tasks:N0} tasks ended in {seconds:0.0} s: {tasks / seconds:0.0} tasks/s end to end " +
                $"(all accepted after {accepted:0.0} s; {later} answers 503/429 sent again, {refused} refused); load average at the start {load}, now {ScenarioReport.LoadAverage()}");
            ScenarioReport.Figure("cluster-wide throttle", $"{calls:N0} provider calls, {calls / seconds:0.0}/s against a limit of {qps}; " +
                $"peak {stats.PeakRequestsPerSecond} in a rolling second, {stats.QpsExceededAnswers} over-limit answers, {stats.Tasks:N0} tasks at the provider");
            return refused == 0 && stats.Tasks == tasks && stats.QpsExceededAnswers == 0;
        }
        finally
        {
            foreach (var node in cluster) node.Dispose();
        }
    }

    private static async Task<bool> ResumeAsync(int nodes, double qps, string connection, string dataDirectory)
    {
        const int Tasks = 300;
        await using var sim = await BenchSimulator.StartAsync(new SimulatorOptions { ImageMinSeconds = 36_000, ImageMaxSeconds = 36_000 });
        using var db = Database.Create(connection);
        var cluster = await StartAsync(nodes, sim.BaseUrl, qps, db.ConnectionString, Path.Combine(dataDirectory, "resume"),
            ["Orchestrator:Tasks:ImageDeadlineSeconds=86400", "Orchestrator:Polling:CapSeconds=2", "Orchestrator:Polling:ImagePriorSeconds=1",
             "Orchestrator:Polling:ImageFloorSeconds=1"]);
        try
        {
            for (var i = 0; i < Tasks; i++)
            {
                using var response = await cluster[i % nodes].Http.PostAsJsonAsync("/v1/tasks",
                    new { provider = "simulator", kind = "text-to-image", model = "kling-v1-5", prompt = $"long {i}" });
                response.EnsureSuccessStatusCode();
            }
            var wait = Stopwatch.StartNew();
            while (sim.Simulator.Stats().Tasks < Tasks && wait.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(200);
            await Task.Delay(TimeSpan.FromSeconds(5)); // every task into its steady poll cycle
            var load = ScenarioReport.LoadAverage();
            sim.Queries.Arm(Stopwatch.GetTimestamp());
            cluster[^1].Kill();
            var clock = Stopwatch.StartNew();
            while (sim.Queries.Tasks < Tasks && clock.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(100);
            var firsts = sim.Queries.FirstQuerySeconds();
            // The survivors' own tasks come back within their poll interval; the tail is the dead node's.
            ScenarioReport.Figure("dead node's tasks resumed", firsts.Length >= Tasks
                ? $"every one of {Tasks} tasks queried again {firsts[^1]:0.0} s after the SIGKILL of node {nodes - 1} " +
                  $"(p50 {BestFixedSchedule.Quantile(firsts, 0.5):0.0} s, p90 {BestFixedSchedule.Quantile(firsts, 0.9):0.0} s; downing after 5 s unreachable); load average {load}"
                : $"only {firsts.Length} of {Tasks} queried within 5 min  <-- NOT ALL");
            return firsts.Length >= Tasks;
        }
        finally
        {
            foreach (var node in cluster) node.Dispose();
        }
    }

    private static async Task<List<ServerChild>> StartAsync(int nodes, string simulatorBaseUrl, double qps, string connection, string dataDirectory,
        IReadOnlyList<string> settings)
    {
        Directory.CreateDirectory(dataDirectory);
        // Ascending, so the killed node (the last) is the same kind of node in every run: the highest address.
        var ports = Enumerable.Range(0, nodes).Select(_ => DotnetChild.FreePort()).Order().ToArray();
        var started = new List<ServerChild>();
        for (var i = 0; i < nodes; i++)
        {
            string[] args =
            [
                "--Orchestrator:Storage:Provider=PostgreSql",
                $"--Orchestrator:Storage:ConnectionString={connection}",
                $"--Orchestrator:Providers:simulator:BaseUrl={simulatorBaseUrl}",
                string.Create(CultureInfo.InvariantCulture, $"--Orchestrator:Providers:simulator:Qps={qps}"),
                "--Simulator:InProcess=false",
                "--Orchestrator:Cluster:Enabled=true",
                "--Orchestrator:Cluster:Hostname=127.0.0.1",
                $"--Orchestrator:Cluster:Port={ports[i]}",
                .. ports.Select((p, n) => $"--Orchestrator:Cluster:SeedNodes:{n}=akka.tcp://orchestrator@127.0.0.1:{p}"),
                "--Orchestrator:Cluster:DownUnreachableAfterSeconds=5",
                "--Orchestrator:Callbacks:Secret=a-shared-callback-secret-of-the-bench-cluster",
                $"--Orchestrator:KeyRingDirectory={Path.Combine(dataDirectory, "keys")}",
                $"--Orchestrator:Results:Directory={Path.Combine(dataDirectory, $"node{i}")}",
                "--Orchestrator:Results:Enabled=false",
                "--Orchestrator:AkkaLogLevel=Warning",
                "--Logging:LogLevel:Default=Warning",
                .. settings.Select(s => "--" + s),
            ];
            var node = ServerChild.StartWithArgs(dataDirectory, args);
            started.Add(node);
            // The first node forms the cluster alone; the others join it.
            await node.WaitReadyAsync(TimeSpan.FromMinutes(3));
        }
        return started;
    }

    /// <summary>A fresh database on the server the connection string names, dropped at dispose.</summary>
    private sealed class Database : IDisposable
    {
        private readonly string _server;
        private readonly string _name = $"bench_{Guid.NewGuid():N}";

        private Database(string server) => _server = server;

        public string ConnectionString => new NpgsqlConnectionStringBuilder(_server) { Database = _name }.ConnectionString;

        public static Database Create(string server)
        {
            var db = new Database(server);
            db.Run($"CREATE DATABASE \"{db._name}\"");
            return db;
        }

        public void Dispose()
        {
            NpgsqlConnection.ClearAllPools();
            Run($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)");
        }

        private void Run(string sql)
        {
            using var admin = new NpgsqlConnection(_server);
            admin.Open();
            using var command = new NpgsqlCommand(sql, admin);
            command.ExecuteNonQuery();
        }
    }
}
