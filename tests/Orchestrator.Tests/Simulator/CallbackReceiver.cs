using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Orchestrator.Tests.Simulator;

/// <summary>A loopback HTTP endpoint that records every JSON body POSTed to it, as a client's callback URL would.</summary>
public sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<(string Path, JsonNode Body)> _received;

    private CallbackReceiver(WebApplication app, Channel<(string, JsonNode)> received)
    {
        _app = app;
        _received = received;
        BaseUrl = app.Urls.First().TrimEnd('/');
    }

    public string BaseUrl { get; }

    public static async Task<CallbackReceiver> StartAsync()
    {
        var received = Channel.CreateUnbounded<(string, JsonNode)>();
        var app = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]).Build();
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            received.Writer.TryWrite((request.Path.Value!, (await JsonNode.ParseAsync(request.Body))!));
            return Results.Ok();
        });
        await app.StartAsync();
        return new CallbackReceiver(app, received);
    }

    /// <summary>The next body POSTed, waiting at most 5 s.</summary>
    public async Task<(string Path, JsonNode Body)> NextAsync() => await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

    public bool NothingMore => !_received.Reader.TryPeek(out _);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
