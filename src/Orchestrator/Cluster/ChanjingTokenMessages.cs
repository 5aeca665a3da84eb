using Orchestrator.Providers;

namespace Orchestrator.Cluster;

/// <summary>
/// A node asks its account's token owner for the Chanjing token in force. <paramref name="Held"/> is the token the node
/// is using, if any: refused by Chanjing (<paramref name="Refused"/>), so to be replaced unless already replaced; or
/// still good, for an owner started anew to adopt rather than fetch a new one that would invalidate it.
/// </summary>
internal sealed record AskChanjingToken(string Account, string? Held, DateTimeOffset? HeldExpires, bool Refused)
{
    // Dead letters and debug logs print messages: never the token.
    public override string ToString() => $"AskChanjingToken {{ Account = {Account}, Held = {(Held is null ? "none" : "***")}, Refused = {Refused} }}";
}

/// <summary>The token owner's answer: the token in force and when it expires, or why there is none.</summary>
internal sealed record ChanjingTokenAnswer(string? Token, DateTimeOffset Expires, ProviderError? Error)
{
    public override string ToString() => $"ChanjingTokenAnswer {{ Token = {(Token is null ? "none" : "***")}, Expires = {Expires:O}, Error = {Error?.Code} }}";
}
