using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Simulators;

/// <summary>
/// A loopback port that is free now, for a listener that starts later: the embedded simulators, whose addresses the
/// clients are given before the host starts, or a host in another process. It is picked at random below the kernel's
/// ephemeral range, because a port in that range (what a listener on port 0 gets) can be taken between the pick and
/// the listener's start by any outgoing connection or other port-0 listener on the machine (seen in CI: "address
/// already in use" when the embedded simulators started). Below it, only another pick can take it.
/// </summary>
public static class LoopbackPort
{
    /// <summary>The lowest port picked: above the registered ports most local services use.</summary>
    public const int Lowest = 10_000;

    public static int Free() => Free(Random.Shared);

    /// <summary>Tries ports from <paramref name="random"/>; a port-0 listener's port if none of 100 is free.</summary>
    public static int Free(Random random)
    {
        var ephemeral = EphemeralRangeStart();
        for (var attempt = 0; attempt < 100 && ephemeral > Lowest; attempt++)
        {
            var port = random.Next(Lowest, ephemeral);
            if (IsFree(port))
                return port;
        }

        return Listen(0, out var any) ? any : throw new InvalidOperationException("No loopback port is free");
    }

    /// <summary>Where the kernel's ephemeral ports start: Linux says so; elsewhere IANA's 49152.</summary>
    public static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range");
            return int.Parse(range.Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 49152;
        }
    }

    static bool IsFree(int port) => Listen(port, out _);

    static bool Listen(int port, out int bound)
    {
        using var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            bound = ((IPEndPoint)listener.LocalEndpoint).Port;
            return true;
        }
        catch (SocketException)
        {
            bound = 0;
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }
}
