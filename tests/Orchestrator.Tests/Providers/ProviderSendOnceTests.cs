using System.Net;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Providers;
using Orchestrator.Simulator;
using Orchestrator.Tests.Simulator;

namespace Orchestrator.Tests.Providers;

/// <summary>
/// One permit, one arrival: a provider call is never sent a second time by the HTTP stack behind the throttle's back
/// (the chaos run's peak of 21 calls a second on a limit of 20).
/// </summary>
[Collection(SimulatorCollection.Name)]
public sealed class ProviderSendOnceTests
{
    [Fact]
    public async Task A_poll_whose_reused_connection_drops_before_the_answer_reaches_the_provider_once_and_fails_as_a_lost_connection()
    {
        // A provider whose gateway reads the second request on a connection, then drops it without an answer.
        await using var provider = await DroppingProvider.StartAsync(dropRequest: 2);
        using var http = new HttpClient(ProviderHttp.CreateHandler()) { BaseAddress = provider.Url };

        var (first, _) = await GetAsync(http);
        Assert.Equal(HttpStatusCode.OK, first!.Status); // its connection now waits in the pool

        var (answer, fault) = await GetAsync(http);
        // The stock handler sent it again on a new connection: 3 arrivals, and a 200 as if nothing had happened.
        Assert.Equal(2, provider.Arrivals);
        Assert.Null(answer);
        Assert.Equal(ProviderHttp.ConnectionLost, fault!.Code);
        Assert.True(fault.Retryable);

        var (next, _) = await GetAsync(http);
        Assert.Equal(HttpStatusCode.OK, next!.Status);
        Assert.Equal(3, provider.Arrivals);
    }

    [Fact]
    public async Task Many_calls_at_once_over_pooled_connections_are_each_sent_and_answered_once()
    {
        await using var h = await SimulatorHarness.StartAsync();
        using var http = new HttpClient(ProviderHttp.CreateHandler()) { BaseAddress = h.Http.BaseAddress };

        var answers = await Task.WhenAll(Enumerable.Range(0, 300).Select(async _ =>
        {
            await Task.Yield();
            return await PollAsync(h, http);
        }));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NotFound, a.Answer?.Status));
        Assert.Equal(300, h.Sim.Account("kling").ArrivalsPerSecond().Sum());
    }

    private static async Task<(ProviderHttpAnswer? Answer, ProviderError? Fault)> GetAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/images/generations/t1");
        return await ProviderHttp.SendAsync(http, request, CancellationToken.None);
    }

    private static async Task<(ProviderHttpAnswer? Answer, ProviderError? Fault)> PollAsync(SimulatorHarness h, HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/images/generations/none");
        request.Headers.Authorization = new("Bearer", h.Jwt());
        return await ProviderHttp.SendAsync(http, request, CancellationToken.None);
    }
}

/// <summary>
/// A bare HTTP/1.1 server on loopback that answers 200 with keep-alive and drops the connection, without a byte, on
/// the one request it is told to. (Kestrel's abort of a request does not set off the handler's resend; a gateway's drop does.)
/// </summary>
internal sealed class DroppingProvider : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _dropRequest;
    private int _arrivals;

    private DroppingProvider(int dropRequest) => _dropRequest = dropRequest;

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Requests read so far, the dropped one included.</summary>
    public int Arrivals => Volatile.Read(ref _arrivals);

    public static Task<DroppingProvider> StartAsync(int dropRequest)
    {
        var provider = new DroppingProvider(dropRequest);
        provider._listener.Start();
        _ = provider.AcceptAsync();
        return Task.FromResult(provider);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var pending = "";
            while (true)
            {
                int n;
                try { n = await stream.ReadAsync(buffer, _stop.Token); }
                catch (Exception e) when (e is IOException or OperationCanceledException) { return; }
                if (n == 0) return;
                pending += Encoding.ASCII.GetString(buffer, 0, n);
                while (pending.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0)
                {
                    pending = pending[(end + 4)..]; // bodiless requests only
                    if (Interlocked.Increment(ref _arrivals) == _dropRequest)
                    {
                        client.Client.LingerState = new LingerOption(true, 0); // a reset, as a gateway that gave up sends
                        return;
                    }
                    var answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"u8.ToArray();
                    try { await stream.WriteAsync(answer, _stop.Token); }
                    catch (Exception e) when (e is IOException or OperationCanceledException) { return; }
                }
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
