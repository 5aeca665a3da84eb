using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Orchestrator.Tests.Webhooks;

/// <summary>
/// A webhook receiver on a loopback port, as a user's service would be: it verifies every request's signature with the
/// shared secret (plain HMAC-SHA256, independent of the orchestrator's signing code) and answers what the test says.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    /// <summary>
    /// One request as received. <c>TaskId</c>/<c>Type</c> come from the body; <c>Status</c> is what was answered;
    /// <c>Headers</c> every header but the signature, one <c>name: value</c> a line.
    /// </summary>
    public sealed record Received(int Number, string? WebhookId, string? TaskId, string? Type, string Body, bool SignatureValid, int Status, JsonNode? Json,
        string Headers = "");

    private readonly WebApplication _app;
    private readonly List<Received> _received = [];
    private readonly Lock _lock = new();

    private WebhookReceiver(WebApplication app, string secret)
    {
        _app = app;
        Secret = secret;
        Url = app.Urls.First().TrimEnd('/') + "/hook";
    }

    public string Url { get; }

    /// <summary>The shared secret every signature is checked with.</summary>
    public string Secret { get; set; }

    /// <summary>The answer to request number <c>n</c> (1-based): a status and an optional Retry-After.</summary>
    public Func<int, (int Status, string? RetryAfter)> Answer { get; set; } = _ => (200, null);

    public IReadOnlyList<Received> Requests { get { lock (_lock) return _received.ToList(); } }

    public int RequestCount { get { lock (_lock) return _received.Count; } }

    /// <summary>Requests answered 2xx.</summary>
    public IReadOnlyList<Received> Accepted => Requests.Where(r => r.Status is >= 200 and < 300).ToList();

    /// <summary>Distinct task ids whose delivery was answered 2xx (deduplicated by webhook-id, as a receiver would).</summary>
    public IReadOnlyList<string> AcceptedTaskIds => Accepted.DistinctBy(r => r.WebhookId).Select(r => r.TaskId!).ToList();

    public static async Task<WebhookReceiver> StartAsync(string secret)
    {
        var app = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]).Build();
        WebhookReceiver? self = null;
        app.MapPost("/hook", async (HttpRequest request, HttpResponse response) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            return self!.Handle(request, response, body);
        });
        await app.StartAsync();
        return self = new WebhookReceiver(app, secret);
    }

    private IResult Handle(HttpRequest request, HttpResponse response, string body)
    {
        var id = request.Headers["webhook-id"].ToString();
        var timestamp = request.Headers["webhook-timestamp"].ToString();
        var signature = request.Headers["webhook-signature"].ToString();
        var valid = Verify(Secret, id, timestamp, body, signature);
        JsonNode? json = null;
        try { json = JsonNode.Parse(body); } catch (System.Text.Json.JsonException) { }
        int status;
        string? retryAfter;
        lock (_lock)
        {
            var number = _received.Count + 1;
            (status, retryAfter) = Answer(number);
            var headers = string.Join("\n", request.Headers.Where(h => h.Key != "webhook-signature").Select(h => $"{h.Key}: {h.Value}"));
            _received.Add(new Received(number, id, json?["data"]?["id"]?.GetValue<string>(), json?["type"]?.GetValue<string>(), body, valid, status, json, headers));
        }
        if (retryAfter is not null) response.Headers.RetryAfter = retryAfter;
        if (status is >= 300 and < 400) response.Headers.Location = Url + "?redirected";
        return Results.StatusCode(status);
    }

    /// <summary>A receiver's check, exactly as the README shows it: HMAC-SHA256 over "id.timestamp.body" with the decoded secret.</summary>
    public static bool Verify(string secret, string id, string timestamp, string body, string signatureHeader)
    {
        if (!long.TryParse(timestamp, out var ts) || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - ts) > 300) return false;
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        var expected = Encoding.ASCII.GetBytes("v1," + Convert.ToBase64String(mac));
        return signatureHeader.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(s)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
