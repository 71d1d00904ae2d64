using System.Net.Sockets;
using Orchestrator.Simulators;

namespace Orchestrator.Tests.Simulators;

/// <summary>
/// Where the embedded simulators (and the integration tests' hosts) are told to listen before they start: a free
/// loopback port below the kernel's ephemeral range, which outgoing connections and port-0 listeners never take.
/// </summary>
public sealed class LoopbackPortTests
{
    [Fact]
    public void A_free_port_is_below_the_ephemeral_range_and_can_be_listened_on()
    {
        for (var pick = 0; pick < 20; pick++)
        {
            var port = LoopbackPort.Free();

            Assert.InRange(port, LoopbackPort.Lowest, LoopbackPort.EphemeralRangeStart() - 1);
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }

    [Fact]
    public void A_port_something_listens_on_is_not_picked()
    {
        // The same seed makes the same first pick: hold that port, and the next pick is another.
        var taken = new Random(2026).Next(LoopbackPort.Lowest, LoopbackPort.EphemeralRangeStart());
        using var holder = new TcpListener(IPAddress.Loopback, taken);
        try
        {
            holder.Start();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // Something else on the machine holds it: taken all the same.
        }

        var port = LoopbackPort.Free(new Random(2026));

        Assert.NotEqual(taken, port);
        Assert.InRange(port, LoopbackPort.Lowest, LoopbackPort.EphemeralRangeStart() - 1);
    }
}
