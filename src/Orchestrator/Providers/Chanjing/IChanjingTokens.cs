namespace Orchestrator.Providers.Chanjing;

/// <summary>Where a Chanjing client gets its account's access token: the account's one token owner, near or far.</summary>
internal interface IChanjingTokens
{
    /// <summary>The token in force, fetched when there is none or it expires within <see cref="ChanjingTokenOwner.RenewBefore"/>.</summary>
    Task<(string? Token, ProviderError? Error)> CurrentAsync(CancellationToken ct);

    /// <summary>The provider refused <paramref name="rejected"/>: a new token, fetched unless someone already replaced it.</summary>
    Task<(string? Token, ProviderError? Error)> ReplaceAsync(string rejected, CancellationToken ct);
}
