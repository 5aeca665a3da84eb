using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Orchestrator.Cli.Wire;

namespace Orchestrator.Cli.Http;

/// <summary>One completion from the stream, with the server's JSON text as it was sent (what <c>--json</c> prints).</summary>
public sealed record ReceivedCompletion(TaskCompletion Completion, string Json);

/// <summary>
/// Follows <c>GET /v1/events</c>. A connection that drops is reopened with <c>Last-Event-ID</c> set to the last
/// offset received, so nothing is missed and nothing repeated. What ends the stream with an error: a server that
/// cannot be reached at all on the first try (a wrong <c>--server</c>), and a 4xx (a refused filter or offset).
/// </summary>
public sealed class CompletionStream(OrchestratorClient client, Action<string> notice)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(15);

    /// <summary>The offset of the last completion received: where a later <c>--from</c> resumes.</summary>
    public long? LastOffset { get; private set; }

    public async IAsyncEnumerable<ReceivedCompletion> FollowAsync(string query, long? after, [EnumeratorCancellation] CancellationToken ct)
    {
        LastOffset = after;
        var retry = FirstRetry;
        var connected = false;
        while (true)
        {
            using var response = await ConnectAsync(query, firstTry: !connected, ct);
            if (response is null)
            {
                await BackOffAsync("the server is not answering", ref retry, ct);
                continue;
            }
            connected = true;
            retry = FirstRetry;
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await using var items = SseParser.Create(body).EnumerateAsync(ct).GetAsyncEnumerator(ct);
            string? dropped = "the server closed the stream";
            while (true)
            {
                try
                {
                    if (!await items.MoveNextAsync()) break;
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && !ct.IsCancellationRequested)
                {
                    dropped = ex.Message;
                    break;
                }
                var item = items.Current;
                if (item.EventType == "heartbeat") continue;
                var completion = JsonSerializer.Deserialize<TaskCompletion>(item.Data, WireJson.Options)
                    ?? throw new JsonException("An event's data was null.");
                LastOffset = long.TryParse(item.EventId, NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : completion.Offset;
                yield return new ReceivedCompletion(completion, item.Data);
            }
            await BackOffAsync($"connection lost ({dropped})", ref retry, ct);
        }
    }

    /// <summary>Null when connecting failed in a way worth retrying; other failures are thrown.</summary>
    private async Task<HttpResponseMessage?> ConnectAsync(string query, bool firstTry, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/events" + query);
        if (LastOffset is { } offset) request.Headers.Add("Last-Event-ID", offset.ToString(CultureInfo.InvariantCulture));
        try
        {
            return await client.OpenAsync(request, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && IsTransient(ex, firstTry))
        {
            return null;
        }
    }

    /// <summary>
    /// A stream's response headers may come only with its first event, so a server restarting while nothing happens
    /// looks like a failed connect (a reset, or a 500 from its shutdown) even on the first try: only "nothing listens
    /// there" on the first try is final.
    /// </summary>
    private static bool IsTransient(Exception ex, bool firstTry) => ex switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => !firstTry,
        HttpRequestException or IOException => true,
        ApiException api => api.Status >= HttpStatusCode.InternalServerError || api.Status == HttpStatusCode.TooManyRequests,
        _ => false,
    };

    private Task BackOffAsync(string why, ref TimeSpan retry, CancellationToken ct)
    {
        notice($"{why}; reconnecting in {retry.TotalSeconds:0} s from offset {LastOffset?.ToString(CultureInfo.InvariantCulture) ?? "start"}…");
        var wait = retry;
        retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
        return Task.Delay(wait, ct);
    }
}
