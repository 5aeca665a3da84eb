using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Simulator;

namespace Orchestrator.Tests.Simulator;

/// <summary>
/// The standalone simulator on a loopback port with a fake clock, and a client speaking its three protocols
/// with the default accounts' credentials. Bodies are sent buffered (with a Content-Length), as the providers require.
/// </summary>
public sealed class SimulatorHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly WebApplication _app;

    private SimulatorHarness(WebApplication app, FakeTimeProvider clock)
    {
        _app = app;
        Clock = clock;
        Sim = app.Services.GetRequiredService<ProviderSimulator>();
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(10) };
    }

    public FakeTimeProvider Clock { get; }
    public ProviderSimulator Sim { get; }
    public HttpClient Http { get; }

    /// <summary>Images take exactly 10 s of fake time (2 s queued), so tests know when each status change happens.</summary>
    public static SimulatorOptions Options() => new() { ImageMinSeconds = 10, ImageMaxSeconds = 10, VideoMinSeconds = 10, VideoMaxSeconds = 10, QueuedFraction = 0.2 };

    /// <param name="clock">The fake clock to use, for a test that restarts the simulator and keeps its time; a new one at <see cref="Start"/> by default.</param>
    public static async Task<SimulatorHarness> StartAsync(SimulatorOptions? options = null, FakeTimeProvider? clock = null)
    {
        clock ??= new FakeTimeProvider(Start);
        var app = SimulatorProgram.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], options ?? Options(), clock);
        await app.StartAsync();
        return new SimulatorHarness(app, clock);
    }

    public static StringContent Json(object body) => new(body is JsonNode node ? node.ToJsonString() : JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>The official API's JWT: HS256, iss = access key, exp/nbf relative to the fake clock unless given.</summary>
    public string Jwt(string accessKey = "sim-ak", string secretKey = "sim-sk", long? exp = null, long? nbf = null)
    {
        var now = Clock.GetUtcNow().ToUnixTimeSeconds();
        var header = Base64Url("""{"alg":"HS256","typ":"JWT"}"""u8.ToArray());
        var claims = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { iss = accessKey, exp = exp ?? now + 1800, nbf = nbf ?? now - 5 }));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.ASCII.GetBytes(header + "." + claims));
        return header + "." + claims + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A Kling call; <paramref name="bearer"/> defaults to a fresh valid JWT of the default account.</summary>
    public async Task<(int Status, JsonObject Body)> KlingAsync(HttpMethod method, string path, object? body = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer ?? Jwt());
        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    public static object Image(int n = 1, string? external = null, string? callback = null) =>
        new { model_name = "kling-v1-5", prompt = "a kangaroo holding a sign", n, aspect_ratio = "1:1", external_task_id = external, callback_url = callback };

    public async Task<string> TokenAsync(string appId = "sim-app", string secret = "sim-secret")
    {
        var (_, body) = await ChanjingAsync(HttpMethod.Post, "/open/v1/access_token", new { app_id = appId, secret_key = secret }, token: "");
        Assert.Equal(0, (int)body["code"]!);
        return (string)body["data"]!["access_token"]!;
    }

    /// <summary>A Chanjing call with the <c>access_token</c> header (none when <paramref name="token"/> is empty).</summary>
    public async Task<(int Status, JsonObject Body)> ChanjingAsync(HttpMethod method, string path, object? body = null, string token = "")
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
        if (token.Length > 0) request.Headers.Add("access_token", token);
        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    public async Task<string> SubmitChanjingImageAsync(string token, string? callback = null)
    {
        var (_, body) = await ChanjingAsync(HttpMethod.Post, "/open/v1/ai_creation/task/submit",
            new { creation_type = 3, model_code = "kling-v2-1", ref_prompt = "a paper lantern", aspect_ratio = "3:4", clarity = 2048, number_of_images = 2, callback }, token);
        Assert.Equal(0, (int)body["code"]!);
        return (string)body["data"]!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
