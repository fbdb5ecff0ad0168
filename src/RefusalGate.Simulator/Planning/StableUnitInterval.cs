using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace RefusalGate.Simulator.Planning;

/// <summary>
/// A number in [0, 1) that depends only on (prompt, model). Used instead of a random draw where the simulated model
/// must be consistent: asking it twice about the same prompt has to give the same answer, in every process.
/// </summary>
internal static class StableUnitInterval
{
    /// <summary>2^-53: turns the top 53 bits of the hash into a double in [0, 1) without rounding up to 1.</summary>
    private const double Scale = 1.0 / (1UL << 53);

    public static double Of(string prompt, string model)
    {
        // The NUL separator keeps ("ab", "c") and ("a", "bc") apart.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{model}\0{prompt}"));
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * Scale;
    }
}
