namespace RefusalGate.Gateway.Policies.Model;

/// <summary>What a policy does when a stage it depends on (classifier, self-prediction) fails or times out.</summary>
public enum FailMode
{
    /// <summary>Carry on with what is known: no prediction forwards as <c>allow</c>; a failed self-prediction leaves the band's action.</summary>
    Open,

    /// <summary>Take the policy's fail action (by default <c>block</c>): nothing unchecked reaches the model.</summary>
    Closed,
}
