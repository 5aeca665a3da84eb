using System.Net.Http.Headers;
using System.Text.Json;
using Orchestrator.Tasks;

namespace Orchestrator.Providers.Kling;

/// <summary>
/// Submit and query over Kling's protocol. The official API and the DMXAPI relay differ only in the
/// path prefix and how the bearer credential is made, which subclasses supply.
/// </summary>
internal abstract class KlingProtocolClient(HttpClient http) : IProviderClient
{
    public ProviderCapabilities Capabilities { get; } = new(TakesExternalId: true);

    /// <summary>Prefix before Kling's own paths (<c>/kling</c> on DMXAPI, empty on the official API).</summary>
    protected abstract string PathPrefix { get; }

    /// <summary>The <c>Authorization: Bearer</c> credential for the next call.</summary>
    protected abstract string BearerToken();

    public async Task<SubmitOutcome> SubmitAsync(ProviderSubmission submission, CancellationToken ct)
    {
        var path = PathPrefix + KlingProtocol.CreatePath(submission.Request.Kind);
        using var request = new HttpRequestMessage(HttpMethod.Post, Relative(path))
        {
            Content = ProviderHttp.JsonBody(KlingProtocol.Body(submission), KlingJson.Options),
        };
        var (task, error) = await CallAsync(request, ct).ConfigureAwait(false);
        if (error is not null) return new SubmitOutcome.Rejected(error);
        return string.IsNullOrEmpty(task?.TaskId)
            ? new SubmitOutcome.Rejected(new ProviderError("malformed_response", "The provider accepted the task but returned no task_id.", true))
            : new SubmitOutcome.Accepted(task.TaskId);
    }

    public async Task<QueryOutcome> QueryAsync(GenerationKind kind, string? providerTaskId, string externalTaskId, CancellationToken ct)
    {
        // Kling accepts the external id in place of the task id on the same path.
        var id = Uri.EscapeDataString(providerTaskId ?? externalTaskId);
        using var request = new HttpRequestMessage(HttpMethod.Get, Relative($"{PathPrefix}{KlingProtocol.CreatePath(kind)}/{id}"));
        var (task, error) = await CallAsync(request, ct).ConfigureAwait(false);
        if (error is not null) return new QueryOutcome.Error(error);
        var snapshot = task is null ? null : KlingProtocol.ToSnapshot(task);
        return snapshot is null
            ? new QueryOutcome.Error(new ProviderError("malformed_response", $"Unknown task status '{task?.TaskStatus}' or missing task_id.", true))
            : new QueryOutcome.Found(snapshot);
    }

    // Relative to the account's base URL, which may carry a path (the in-process simulator lives under /simulator/).
    private static Uri Relative(string path) => new(path.TrimStart('/'), UriKind.Relative);

    private async Task<(KlingTask? Task, ProviderError? Error)> CallAsync(HttpRequestMessage request, CancellationToken ct)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BearerToken());
        var (answer, fault) = await ProviderHttp.SendAsync(http, request, ct).ConfigureAwait(false);
        if (fault is not null) return (null, fault);
        KlingEnvelope? envelope = null;
        try
        {
            envelope = JsonSerializer.Deserialize<KlingEnvelope>(answer!.Body, KlingJson.Options);
        }
        catch (JsonException)
        {
        }
        if (envelope is null)
            return (null, (int)answer!.Status >= 400 ? ProviderHttp.FromHttpStatus(answer) : ProviderHttp.Malformed(answer));
        if (envelope.Code != 0)
            return (null, KlingProtocol.MapError((int)answer!.Status, envelope.Code, envelope.Message, answer.RetryAfter));
        if ((int)answer!.Status >= 400) return (null, ProviderHttp.FromHttpStatus(answer));
        return (envelope.Data, null);
    }
}
