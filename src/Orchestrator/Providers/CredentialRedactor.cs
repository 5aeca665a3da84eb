using Orchestrator.Tasks;
using System.Text.RegularExpressions;

namespace Orchestrator.Providers;

/// <summary>
/// Takes credentials out of a provider's words before they are stored anywhere (a task's <c>error.message</c>, and so
/// the journal, SSE events and webhook bodies): the configured secrets themselves, and what looks like a credential
/// whoever issued it (<c>Bearer …</c>, <c>sk-…</c> keys, JWTs such as the one Kling's key signs, a Chanjing token quoted
/// after <c>access_token</c>).
/// Some gateways quote the header they refused; the rest of their message stays, it is what explains the failure.
/// </summary>
internal sealed partial class CredentialRedactor
{
    private const string Mask = "***";
    private readonly string[] _secrets;

    /// <param name="secrets">Configured credentials (null and very short values are ignored: they would mask ordinary words).</param>
    public CredentialRedactor(IEnumerable<string?> secrets) =>
        _secrets = [.. secrets.OfType<string>().Select(s => s.Trim()).Where(s => s.Length >= 6).Distinct().OrderByDescending(s => s.Length)];

    public string Redact(string message)
    {
        if (string.IsNullOrEmpty(message)) return message;
        foreach (var secret in _secrets) message = message.Replace(secret, Mask, StringComparison.Ordinal);
        message = Bearer().Replace(message, "$1" + Mask);
        message = Jwt().Replace(message, Mask);
        message = AccessToken().Replace(message, "$1" + Mask);
        return SecretKey().Replace(message, "$1" + Mask);
    }

    public ProviderError Redact(ProviderError error) => error with { Message = Redact(error.Message) };

    [GeneratedRegex(@"\b(Bearer\s+)(?!\*\*\*)[^\s'"",;]+", RegexOptions.IgnoreCase)]
    private static partial Regex Bearer();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();

    // Chanjing's token is bare hex, recognisable only by what it follows; 16 characters at least, so "access token request" stays.
    [GeneratedRegex(@"\b(access[_ ]?token\b[\s'""=:]*)(?!\*\*\*)[A-Za-z0-9._~+/=-]{16,}", RegexOptions.IgnoreCase)]
    private static partial Regex AccessToken();

    [GeneratedRegex(@"\b(sk-)[A-Za-z0-9_-]{8,}")]
    private static partial Regex SecretKey();
}

/// <summary>An account's client whose errors and failure messages pass through a <see cref="CredentialRedactor"/>.</summary>
internal class RedactingProviderClient(IProviderClient inner, CredentialRedactor redactor) : IProviderClient
{
    /// <summary>Wraps <paramref name="inner"/>, keeping its batch queries when it has them.</summary>
    public static IProviderClient Around(IProviderClient inner, CredentialRedactor redactor) =>
        inner is IBatchQueryClient batch ? new RedactingBatchQueryClient(inner, batch, redactor) : new RedactingProviderClient(inner, redactor);

    public ProviderCapabilities Capabilities => inner.Capabilities;

    public async Task<SubmitOutcome> SubmitAsync(ProviderSubmission submission, CancellationToken ct) =>
        await inner.SubmitAsync(submission, ct).ConfigureAwait(false) switch
        {
            SubmitOutcome.Rejected r => new SubmitOutcome.Rejected(redactor.Redact(r.Error)),
            var accepted => accepted,
        };

    public async Task<QueryOutcome> QueryAsync(GenerationKind kind, string? providerTaskId, string externalTaskId, CancellationToken ct) =>
        Redact(await inner.QueryAsync(kind, providerTaskId, externalTaskId, ct).ConfigureAwait(false));

    public QueryOutcome Redact(QueryOutcome outcome) => outcome switch
    {
        QueryOutcome.Error e => new QueryOutcome.Error(redactor.Redact(e.Failure)),
        QueryOutcome.Found { Snapshot.FailureMessage: { } m } f => new QueryOutcome.Found(f.Snapshot with { FailureMessage = redactor.Redact(m) }),
        _ => outcome,
    };
}

/// <summary>A <see cref="RedactingProviderClient"/> for a client that also queries many tasks at once.</summary>
internal sealed class RedactingBatchQueryClient(IProviderClient inner, IBatchQueryClient batch, CredentialRedactor redactor)
    : RedactingProviderClient(inner, redactor), IBatchQueryClient
{
    public int MaxBatch => batch.MaxBatch;

    public async Task<IReadOnlyDictionary<string, QueryOutcome>> QueryManyAsync(IReadOnlyList<string> providerTaskIds, CancellationToken ct) =>
        (await batch.QueryManyAsync(providerTaskIds, ct).ConfigureAwait(false)).ToDictionary(kv => kv.Key, kv => Redact(kv.Value));
}
