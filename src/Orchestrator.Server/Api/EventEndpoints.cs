using System.Globalization;
using System.Net.ServerSentEvents;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Events;
using Orchestrator.Server.Security;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Api;

/// <summary>
/// <c>GET /v1/events</c>: task completions as Server-Sent Events. <c>id:</c> is the journal offset. Without a position
/// the stream starts now (only tasks that end after the connection); <c>?from=start</c> replays every completion; a
/// client that reconnects with <c>Last-Event-ID</c> (or <c>?after=</c>) receives exactly what it missed. A non-admin key
/// receives its own tenant's completions only (<c>?tenant=</c> naming another is a 400).
/// </summary>
public static class EventEndpoints
{
    /// <summary>An idle stream sends a <c>heartbeat</c> event this often, so proxies keep it open.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>Maps the <c>/v1/events</c> group.</summary>
    public static RouteGroupBuilder MapEventEndpoints(this IEndpointRouteBuilder routes)
    {
        var events = routes.MapGroup("/v1/events");
        events.MapGet("", Stream).Produces(StatusCodes.Status200OK, contentType: "text/event-stream").WithProblems(400);
        return events;
    }

    // Items are completions and heartbeats, so the stream's item type is object (each is written as its own type).
    private static async Task<Results<ServerSentEventsResult<object>, ProblemHttpResult>> Stream(HttpRequest request, ApiCaller caller, CompletionFeed feed, Akka.Actor.ActorSystem system, CancellationToken ct)
    {
        var (filter, after, error) = Parse(request);
        if (error is not null) return ApiProblems.Invalid(error);
        if (caller.Scope is { } tenant)
        {
            if (filter.Tenant is { } asked && asked != tenant)
                return ApiProblems.Invalid(new FieldError("tenant", $"This key streams tenant '{tenant}' only."));
            filter = filter with { Tenant = tenant };
        }
        var start = after ?? await feed.EndOffsetAsync(ct);
        var items = feed.Source(start)
            .Where(filter.Matches)
            .Select(c => new SseItem<object>(c, c.Type) { EventId = Id(c.Offset) })
            .KeepAlive(Heartbeat, () => new SseItem<object>(StreamHeartbeat.Instance, "heartbeat"))
            // One heartbeat first, so the response (200, text/event-stream) is sent before any completion exists. Its id is
            // where the stream starts: a client that reconnects before any completion resumes there, missing nothing.
            .Prepend(Source.Single(new SseItem<object>(StreamHeartbeat.Instance, "heartbeat") { EventId = Id(start) }))
            .RunAsAsyncEnumerable(system.Materializer());
        return TypedResults.ServerSentEvents(items);
    }

    private static string Id(long offset) => offset.ToString(CultureInfo.InvariantCulture);

    /// <summary>Where to start: after an offset (<c>Last-Event-ID</c>, <c>?after=</c>, <c>?from=start</c> is 0), or null for now.</summary>
    private static (CompletionFilter Filter, long? After, FieldError? Error) Parse(HttpRequest request)
    {
        var q = request.Query;
        var from = q["from"].ToString() is { Length: > 0 } f ? f : null;
        if (from is not (null or "start" or "now"))
            return (CompletionFilter.All, null, new FieldError("from", "start (replay every completion) or now (the default); to resume, use after or Last-Event-ID."));
        if (from is not null && q["after"].ToString() is { Length: > 0 })
            return (CompletionFilter.All, null, new FieldError("from", "Give either from or after, not both."));
        // A reconnecting EventSource keeps its URL (?from=start) and adds Last-Event-ID, which wins.
        var resume = request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } h ? ("Last-Event-ID", h)
            : q["after"].ToString() is { Length: > 0 } a ? ("after", a) : (null, null);
        long? after = from == "start" ? 0 : null;
        if (resume.Item1 is not null)
        {
            if (!long.TryParse(resume.Item2, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
                return (CompletionFilter.All, null, new FieldError(resume.Item1, "An event id (a non-negative integer) from this stream."));
            after = offset;
        }
        HashSet<TaskLifecycle>? statuses = null;
        if (q["status"].ToString() is { Length: > 0 } s)
        {
            statuses = [];
            foreach (var name in s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var match = Enum.GetValues<TaskLifecycle>().Where(v => v.IsTerminal() && v.WireName() == name).ToList();
                if (match.Count == 0) return (CompletionFilter.All, null, new FieldError("status", "Comma-separated terminal statuses: succeeded, failed, timed_out, cancelled."));
                statuses.Add(match[0]);
            }
        }
        string? Opt(string key) => q[key].ToString() is { Length: > 0 } v ? v : null;
        return (new CompletionFilter(statuses, Opt("provider"), Opt("tenant"), Opt("batch")), after, null);
    }
}
