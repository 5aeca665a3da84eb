using System.Net.ServerSentEvents;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.Events;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Api;

/// <summary>
/// <c>GET /v1/events</c>: task completions as Server-Sent Events. <c>id:</c> is the journal offset; a client that
/// reconnects with <c>Last-Event-ID</c> (or <c>?after=</c>) receives exactly what it missed.
/// </summary>
public static class EventEndpoints
{
    /// <summary>An idle stream sends a <c>heartbeat</c> event this often, so proxies keep it open.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static void Map(WebApplication app) => app.MapGet("/v1/events", Stream);

    private static IResult Stream(HttpRequest request, CompletionFeed feed, Akka.Actor.ActorSystem system)
    {
        var (filter, after, error) = Parse(request);
        if (error is not null) return ApiProblems.Invalid(error);
        var items = feed.Source(after)
            .Where(filter.Matches)
            .Select(c => new SseItem<object>(c, c.Type) { EventId = c.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .KeepAlive(Heartbeat, () => new SseItem<object>(new { }, "heartbeat"))
            // One heartbeat first, so the response (200, text/event-stream) is sent before any completion exists.
            .Prepend(Source.Single(new SseItem<object>(new { }, "heartbeat")))
            .RunAsAsyncEnumerable(system.Materializer());
        return TypedResults.ServerSentEvents(items);
    }

    private static (CompletionFilter Filter, long After, FieldError? Error) Parse(HttpRequest request)
    {
        var q = request.Query;
        var resume = request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } h ? ("Last-Event-ID", h)
            : q["after"].ToString() is { Length: > 0 } a ? ("after", a) : (null, null);
        long after = 0;
        if (resume.Item1 is not null && (!long.TryParse(resume.Item2, out after) || after < 0))
            return (CompletionFilter.All, 0, new FieldError(resume.Item1, "An event id (a non-negative integer) from this stream."));
        HashSet<TaskLifecycle>? statuses = null;
        if (q["status"].ToString() is { Length: > 0 } s)
        {
            statuses = [];
            foreach (var name in s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var match = Enum.GetValues<TaskLifecycle>().Where(v => v.IsTerminal() && v.WireName() == name).ToList();
                if (match.Count == 0) return (CompletionFilter.All, 0, new FieldError("status", "Comma-separated terminal statuses: succeeded, failed, timed_out, cancelled."));
                statuses.Add(match[0]);
            }
        }
        string? Opt(string key) => q[key].ToString() is { Length: > 0 } v ? v : null;
        return (new CompletionFilter(statuses, Opt("provider"), Opt("tenant"), Opt("batch")), after, null);
    }
}
