namespace Orchestrator.Persistence;

/// <summary>Marker for everything journaled: bound to <see cref="OrchestratorSerializer"/>, never to Newtonsoft.</summary>
internal interface IOrchestratorEvent;
