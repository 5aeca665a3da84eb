using System.Text.Json;
using Orchestrator.Tasks;
using Orchestrator.Throttling;

namespace Orchestrator.Providers.Chanjing;

/// <summary>
/// Chanjing's ai_creation API: <c>access_token</c> header from the account's token owner (<see cref="ChanjingTokenOwner"/>
/// on a single node, the cluster's one owner through <c>Cluster.ClusterChanjingTokens</c>),
/// submit, query one, and query up to 50 per call through the page endpoint. Chanjing takes no external id,
/// so a submit is journaled as attempted before it is sent.
/// </summary>
internal sealed class ChanjingClient(HttpClient http, IChanjingTokens tokens, string account, IPermitGate gate) : IProviderClient, IBatchQueryClient
{
    public const string DefaultUrl = "https://open-api.chanjing.cc";

    public static ChanjingClient Create(ProviderClientContext c) =>
        new(c.Http, c.SharedChanjingTokens?.Invoke(c.Account.Name) ?? ChanjingTokenOwner.For(c), c.Account.Name, c.Gate);

    public ProviderCapabilities Capabilities { get; } = new(TakesExternalId: false, BatchQuerySize: 50);
    public int MaxBatch => Capabilities.BatchQuerySize!.Value;
    public IChanjingTokens Tokens => tokens;

    public async Task<SubmitOutcome> SubmitAsync(ProviderSubmission submission, CancellationToken ct)
    {
        var body = ChanjingProtocol.Body(submission);
        var (data, error) = await CallAsync(() => new HttpRequestMessage(HttpMethod.Post, "open/v1/ai_creation/task/submit")
        {
            Content = ProviderHttp.JsonBody(body, ChanjingJson.Options),
        }, ct).ConfigureAwait(false);
        if (error is not null) return new SubmitOutcome.Rejected(error);
        return data is { ValueKind: JsonValueKind.String } d && d.GetString() is { Length: > 0 } id
            ? new SubmitOutcome.Accepted(id)
            : new SubmitOutcome.Rejected(new ProviderError("malformed_response", "Chanjing accepted the task but returned no unique_id.", true));
    }

    public async Task<QueryOutcome> QueryAsync(GenerationKind kind, string? providerTaskId, string externalTaskId, CancellationToken ct)
    {
        if (providerTaskId is null)
            return new QueryOutcome.Error(new ProviderError("not_found", "Chanjing cannot look a task up by our id.", false, IsNotFound: true));
        var (data, error) = await CallAsync(
            () => new HttpRequestMessage(HttpMethod.Get, $"open/v1/ai_creation/task?unique_id={Uri.EscapeDataString(providerTaskId)}"), ct).ConfigureAwait(false);
        // Not documented: Chanjing answers an id it does not know as a parameter error, and unique_id is the only parameter.
        if (error is { Code: ChanjingProtocol.BadParameterCode }) return new QueryOutcome.Error(error with { IsNotFound = true });
        if (error is not null) return new QueryOutcome.Error(error);
        var snapshot = Parse<ChanjingTask>(data) is { } t ? ChanjingProtocol.ToSnapshot(t) : null;
        return snapshot is null ? new QueryOutcome.Error(Unreadable("task")) : new QueryOutcome.Found(snapshot);
    }

    public async Task<IReadOnlyDictionary<string, QueryOutcome>> QueryManyAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        var body = new ChanjingPageBody(ids, 1, ids.Count);
        var (data, error) = await CallAsync(() => new HttpRequestMessage(HttpMethod.Post, "open/v1/ai_creation/task/page")
        {
            Content = ProviderHttp.JsonBody(body, ChanjingJson.Options),
        }, ct).ConfigureAwait(false);
        var byId = new Dictionary<string, QueryOutcome>();
        var list = error is null ? Parse<ChanjingPage>(data)?.List : null;
        foreach (var t in list ?? [])
        {
            if (ChanjingProtocol.ToSnapshot(t) is { } s && ids.Contains(s.ProviderTaskId)) byId[s.ProviderTaskId] = new QueryOutcome.Found(s);
        }
        var missing = error ?? (list is null ? Unreadable("page") : new ProviderError("missing_from_page", "Chanjing's page answer left this task out.", true, IsNotFound: true));
        foreach (var id in ids) byId.TryAdd(id, new QueryOutcome.Error(missing));
        return byId;
    }

    /// <summary>One call with the current token; after 10400 the token is replaced once and the call retried with a permit of its own.</summary>
    private async Task<(JsonElement? Data, ProviderError? Error)> CallAsync(Func<HttpRequestMessage> build, CancellationToken ct)
    {
        var (token, tokenError) = await tokens.CurrentAsync(ct).ConfigureAwait(false);
        if (tokenError is not null) return (null, tokenError);
        var (data, error, code) = await SendAsync(build(), token!, ct).ConfigureAwait(false);
        if (code != ChanjingProtocol.TokenInvalid) return (data, error);

        (token, tokenError) = await tokens.ReplaceAsync(token!, ct).ConfigureAwait(false);
        if (tokenError is not null) return (null, tokenError);
        (data, error, _) = await gate.UnderPermitAsync(account, CallKind.Poll, () => SendAsync(build(), token!, ct), ct).ConfigureAwait(false);
        return (data, error);
    }

    private async Task<(JsonElement? Data, ProviderError? Error, int Code)> SendAsync(HttpRequestMessage request, string token, CancellationToken ct)
    {
        using (request)
        {
            request.Headers.TryAddWithoutValidation("access_token", token);
            var (answer, fault) = await ProviderHttp.SendAsync(http, request, ct).ConfigureAwait(false);
            if (fault is not null) return (null, fault, -1);
            ChanjingEnvelope? envelope = null;
            try
            {
                envelope = JsonSerializer.Deserialize<ChanjingEnvelope>(answer!.Body, ChanjingJson.Options);
            }
            catch (JsonException)
            {
            }
            if (envelope is null) return (null, (int)answer!.Status >= 400 ? ProviderHttp.FromHttpStatus(answer) : ProviderHttp.Malformed(answer), -1);
            if (envelope.Code != 0) return (null, ChanjingProtocol.MapError(envelope.Code, envelope.Msg, answer!.RetryAfter), envelope.Code);
            return (envelope.Data, null, 0);
        }
    }

    private static T? Parse<T>(JsonElement? data) where T : class
    {
        try
        {
            return data is { ValueKind: JsonValueKind.Object } d ? d.Deserialize<T>(ChanjingJson.Options) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ProviderError Unreadable(string what) => new("malformed_response", $"Chanjing's {what} answer could not be read.", true);
}
