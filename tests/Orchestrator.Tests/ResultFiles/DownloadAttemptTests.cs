using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.ResultFiles;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.ResultFiles;

/// <summary>How one attempt classifies what a file host answers, against canned answers (the retry loop is tested over loopback).</summary>
public sealed class DownloadAttemptTests : IDisposable
{
    private static readonly Uri Url = new("https://cdn.example.com/outputs/0.mp4?X-Signature=s3cr3t");
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly LocalDirectoryResultStore _store;

    public DownloadAttemptTests() => _store = new LocalDirectoryResultStore(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private Task<(StoredFile? File, DownloadFailure? Failure)> RunAsync(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) =>
        DownloadAttempt.RunAsync(new HttpClient(new StubHttp(answer)), _store, "t", 0, Url, new ResultOptions(), _clock, CancellationToken.None);

    [Theory]
    [InlineData(HttpStatusCode.NotFound, false)]
    [InlineData(HttpStatusCode.Forbidden, false)]
    [InlineData(HttpStatusCode.Gone, false)]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.BadGateway, true)]
    public async Task Only_408_429_and_5xx_answers_are_worth_another_attempt(HttpStatusCode status, bool retryable)
    {
        var (file, failure) = await RunAsync((_, _) => Task.FromResult(new HttpResponseMessage(status)));

        Assert.Null(file);
        Assert.Equal(new DownloadFailure($"HTTP {(int)status}", retryable), failure);
    }

    [Fact]
    public async Task A_429_carries_the_hosts_retry_after()
    {
        var (_, failure) = await RunAsync((_, _) =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(120));
            return Task.FromResult(r);
        });

        Assert.Equal(TimeSpan.FromSeconds(120), failure!.RetryAfter);
    }

    [Fact]
    public async Task A_connection_error_is_retryable_and_names_only_its_kind()
    {
        var (_, failure) = await RunAsync((_, _) =>
            throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (cdn.example.com:443) ?X-Signature=s3cr3t"));

        Assert.Equal(new DownloadFailure("the connection failed (ConnectionError)", true), failure);
    }

    [Fact]
    public async Task An_attempt_with_no_answer_ends_at_its_deadline_on_the_injected_clock()
    {
        var attempt = RunAsync(async (_, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            throw new InvalidOperationException("unreachable");
        });

        _clock.Advance(TimeSpan.FromSeconds(300));

        Assert.Equal(new DownloadFailure("no complete answer within 300 s", true), (await attempt).Failure);
    }

    [Fact]
    public async Task Octet_stream_is_stored_under_the_media_type_the_urls_extension_names()
    {
        var (file, _) = await RunAsync((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new ByteArrayContent(SampleMedia.Mp4) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
        }));

        Assert.Equal(("video/mp4", (long)SampleMedia.Mp4.Length), (file!.ContentType, file.Bytes));
    }

    [Fact]
    public void Urls_are_quoted_without_user_info_query_or_fragment()
    {
        Assert.Equal("https://cdn.example.com/outputs/0.mp4",
            ResultRehoster.WithoutQuery(new Uri("https://user:pass@cdn.example.com/outputs/0.mp4?X-Signature=s3cr3t#t=1")));
    }

    private sealed class StubHttp(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) => answer(request, ct);
    }
}
