using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Simulator;

namespace Orchestrator.Bench;

/// <summary>
/// The provider simulator on a loopback port of the bench process, as a remote provider is to a node: it outlives the
/// server's restarts (its tasks run on by the clock), it is not in the server's memory figures, and it can watch which
/// tasks are queried (<see cref="Queries"/>). Its options may be changed while it runs (durations are drawn per create).
/// </summary>
public sealed class BenchSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BenchSimulator(WebApplication app, ProviderSimulator simulator, FirstQueries queries)
    {
        _app = app;
        Simulator = simulator;
        Queries = queries;
        BaseUrl = app.Urls.First().TrimEnd('/') + "/";
    }

    public ProviderSimulator Simulator { get; }

    /// <summary>What the orchestrator's <c>simulator</c> account is pointed at (DMXAPI protocol, key <c>sim-key</c>).</summary>
    public string BaseUrl { get; }

    public FirstQueries Queries { get; }

    public static async Task<BenchSimulator> StartAsync(SimulatorOptions options)
    {
        var app = SimulatorProgram.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], options);
        var simulator = app.Services.GetRequiredService<ProviderSimulator>();
        var queries = new FirstQueries(simulator);
        // Runs before the endpoints (WebApplication puts routing first and the endpoints last): every call is seen once.
        app.Use((http, next) =>
        {
            queries.Observe(http.Request);
            return next(http);
        });
        await app.StartAsync();
        return new BenchSimulator(app, simulator, queries);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// Once armed, the first query the simulator receives for each of its tasks: a status poll by provider id
/// (<c>GET …/{id}</c>) or a look-up by our id (<c>?external_task_id=</c>), both resolved to the simulator's task, so
/// "every task was queried after the restart" is seen from outside the orchestrator.
/// </summary>
public sealed class FirstQueries(ProviderSimulator simulator)
{
    private readonly ConcurrentDictionary<string, long> _first = new(StringComparer.Ordinal);
    private long _armedTicks;
    private long _queries;

    /// <summary>Distinct tasks queried since <see cref="Arm"/>.</summary>
    public int Tasks => _first.Count;

    /// <summary>Task queries since <see cref="Arm"/>, repeats included.</summary>
    public long Queries => Interlocked.Read(ref _queries);

    /// <summary>Forgets what was seen and counts from <paramref name="fromTicks"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void Arm(long fromTicks)
    {
        Volatile.Write(ref _armedTicks, 0);
        _first.Clear();
        Interlocked.Exchange(ref _queries, 0);
        Volatile.Write(ref _armedTicks, fromTicks);
    }

    /// <summary>Seconds from the arming to each task's first query, in order.</summary>
    public double[] FirstQuerySeconds()
    {
        var armed = Volatile.Read(ref _armedTicks);
        return [.. _first.Values.Select(t => Stopwatch.GetElapsedTime(armed, t).TotalSeconds).Order()];
    }

    internal void Observe(HttpRequest request)
    {
        if (Volatile.Read(ref _armedTicks) == 0 || !HttpMethods.IsGet(request.Method)) return;
        var path = request.Path.Value ?? "";
        if (path.Contains("/_sim", StringComparison.Ordinal) || path.Contains("/files/", StringComparison.Ordinal)) return;
        var id = request.Query["external_task_id"].ToString() is { Length: > 0 } external ? external : path[(path.LastIndexOf('/') + 1)..];
        if (simulator.Peek(id) is not { } task) return;
        Interlocked.Increment(ref _queries);
        _first.TryAdd(task.TaskId, Stopwatch.GetTimestamp());
    }
}
