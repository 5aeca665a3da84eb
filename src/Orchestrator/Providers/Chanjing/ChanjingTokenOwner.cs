using System.Text.Json;
using Orchestrator.Throttling;

namespace Orchestrator.Providers.Chanjing;

/// <summary>
/// The one place that fetches a Chanjing account's access token: a new token invalidates the old one, so two
/// fetchers would keep knocking each other out. Refreshes 5 minutes before <c>expire_in</c> and, once, after a call
/// was refused with 10400 (unless another caller already replaced that token). Every fetch takes a throttle permit.
/// </summary>
internal sealed class ChanjingTokenOwner(HttpClient http, string account, string appId, string secretKey, TimeProvider clock, IPermitGate gate)
    : IChanjingTokens
{
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _one = new(1, 1);
    private (string Token, DateTimeOffset Expires)? _current;

    public static ChanjingTokenOwner For(ProviderClientContext c) =>
        new(c.Http, c.Account.Name, c.Account.Options.AppId!, c.Account.Options.SecretKey!, c.Clock, c.Gate);

    /// <summary>The token in force and when it expires, if any (it is never persisted: a credential).</summary>
    public (string Token, DateTimeOffset Expires)? Current => _current;

    /// <summary>
    /// Takes a token a node of the cluster is using as the one in force, when this owner has none (it was started anew
    /// on another node): fetching instead would invalidate the token every node holds. A token that was in fact replaced
    /// meanwhile comes back as refused, and is then replaced once.
    /// </summary>
    public void Adopt(string token, DateTimeOffset expires)
    {
        if (_current is null && expires - clock.GetUtcNow() > RenewBefore) _current = (token, expires);
    }

    /// <summary>Token fetches so far (never the tokens).</summary>
    public int Fetches { get; private set; }

    public async Task<(string? Token, ProviderError? Error)> CurrentAsync(CancellationToken ct)
    {
        if (_current is { } c && c.Expires - clock.GetUtcNow() > RenewBefore) return (c.Token, null);
        return await RefreshAsync(stale: _current?.Token, ct).ConfigureAwait(false);
    }

    /// <summary>The provider refused <paramref name="rejected"/>: fetch a new one unless someone already did.</summary>
    public Task<(string? Token, ProviderError? Error)> ReplaceAsync(string rejected, CancellationToken ct) => RefreshAsync(rejected, ct);

    private async Task<(string? Token, ProviderError? Error)> RefreshAsync(string? stale, CancellationToken ct)
    {
        await _one.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_current is { } c && c.Token != stale && c.Expires - clock.GetUtcNow() > RenewBefore) return (c.Token, null);
            return await gate.UnderPermitAsync(account, CallKind.Token, () => FetchAsync(ct), ct).ConfigureAwait(false);
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task<(string? Token, ProviderError? Error)> FetchAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "open/v1/access_token")
        {
            Content = ProviderHttp.JsonBody(new ChanjingTokenBody(appId, secretKey), ChanjingJson.Options),
        };
        var (answer, fault) = await ProviderHttp.SendAsync(http, request, ct).ConfigureAwait(false);
        if (fault is not null) return (null, fault);
        try
        {
            var envelope = JsonSerializer.Deserialize<ChanjingEnvelope>(answer!.Body, ChanjingJson.Options);
            if (envelope is null) return (null, ProviderHttp.Malformed(answer));
            // A refused app_id/secret_key is final (QPS and internal errors are retried); the message never echoes the secret.
            if (envelope.Code != 0)
            {
                var e = ChanjingProtocol.MapError(envelope.Code, envelope.Msg, answer.RetryAfter);
                return (null, e with { Message = $"Chanjing refused the access token request: {e.Message}" });
            }
            var token = envelope.Data.Deserialize<ChanjingToken>(ChanjingJson.Options);
            if (string.IsNullOrEmpty(token?.AccessToken)) return (null, ProviderHttp.Malformed(answer));
            Fetches++;
            _current = (token.AccessToken, DateTimeOffset.FromUnixTimeSeconds(token.ExpireIn));
            return (token.AccessToken, null);
        }
        catch (JsonException)
        {
            return (null, ProviderHttp.Malformed(answer!));
        }
    }
}
