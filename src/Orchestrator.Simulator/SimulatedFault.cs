namespace Orchestrator.Simulator;

/// <summary>A fault to inject into the next calls, for deterministic tests, or into every call for a while (an outage, a storm).</summary>
public enum SimulatedFault
{
    /// <summary>Kling: HTTP 500 code 5000. Chanjing: code 50000.</summary>
    ServerError,

    /// <summary>An HTML page with HTTP 200, as a misbehaving gateway sends.</summary>
    Malformed,

    /// <summary>The provider's QPS answer (Kling: HTTP 429 code 1302, Chanjing: code 40001).</summary>
    RateLimit,

    /// <summary>The provider creates the task but its answer never comes back (a crash or timeout on the way).</summary>
    AcceptThenHang,

    /// <summary>No answer until the client gives up, and nothing is created.</summary>
    Timeout,

    /// <summary>
    /// A refusal that quotes the credential it was sent, as some gateways do (Kling: HTTP 401 code 1000
    /// <c>Invalid authorization header 'Bearer …'</c>; Chanjing: code 40000 quoting the <c>access_token</c> header).
    /// </summary>
    EchoCredentials,

    /// <summary>
    /// The connection is dropped without an answer. A create (or token) call is carried out first and only its answer is
    /// lost, the worst case for a client: it cannot tell whether the call arrived. Other calls are dropped unanswered.
    /// </summary>
    ConnectionReset,

    /// <summary>HTTP 503 with an HTML page and nothing done: the gateway in front of a provider that is down.</summary>
    Unavailable,
}

/// <summary>Which requests an injected fault answers.</summary>
public enum SimulatedFaultTarget
{
    /// <summary>The protocol calls (submits, queries, tokens), per account or shared: the default.</summary>
    Calls,

    /// <summary>
    /// Downloads from the files area, where result URLs point (simulator-wide): <see cref="SimulatedFault.ServerError"/>
    /// is HTTP 500, <see cref="SimulatedFault.RateLimit"/> HTTP 429, <see cref="SimulatedFault.Malformed"/> an HTML page,
    /// the two hangs no answer.
    /// </summary>
    ResultFiles,
}
