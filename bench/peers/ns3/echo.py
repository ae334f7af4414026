"""The echo workload in ns-3: N pairs of hosts, each pair on its own
point-to-point link (10 Gbps, 50 us), each client sending a 64-byte UDP echo
request every 10 us and its server answering. Prints the packets delivered
(requests at servers plus replies at clients) and the wall time of
Simulator::Run.

    python echo.py N SECONDS
"""

import sys
import time

from ns import ns
import cppyy

cppyy.cppdef(
    """
    #include <cstdint>
    namespace vpcsim_peer {
    static uint64_t delivered = 0;
    void Count(ns3::Ptr<const ns3::Packet>) { ++delivered; }
    void Hook() {
        ns3::Config::ConnectWithoutContext(
            "/NodeList/*/ApplicationList/*/$ns3::UdpEchoServer/Rx",
            ns3::MakeCallback(&Count));
        ns3::Config::ConnectWithoutContext(
            "/NodeList/*/ApplicationList/*/$ns3::UdpEchoClient/Rx",
            ns3::MakeCallback(&Count));
    }
    uint64_t Delivered() { return delivered; }
    }
    """
)


def main():
    n = int(sys.argv[1])
    seconds = float(sys.argv[2])
    nodes = ns.NodeContainer()
    nodes.Create(2 * n)
    ns.InternetStackHelper().Install(nodes)
    p2p = ns.PointToPointHelper()
    p2p.SetDeviceAttribute("DataRate", ns.StringValue("10Gbps"))
    p2p.SetChannelAttribute("Delay", ns.StringValue("50us"))
    addresses = ns.Ipv4AddressHelper()
    for i in range(n):
        client, server = nodes.Get(2 * i), nodes.Get(2 * i + 1)
        devices = p2p.Install(client, server)
        addresses.SetBase(
            ns.Ipv4Address(f"10.{i // 250}.{i % 250}.0"), ns.Ipv4Mask("255.255.255.0")
        )
        interfaces = addresses.Assign(devices)
        sapps = ns.UdpEchoServerHelper(9).Install(server)
        sapps.Start(ns.Seconds(0.0))
        echo = ns.UdpEchoClientHelper(interfaces.GetAddress(1).ConvertTo(), 9)
        echo.SetAttribute("MaxPackets", ns.UintegerValue(4_000_000_000))
        echo.SetAttribute("Interval", ns.TimeValue(ns.MicroSeconds(10)))
        echo.SetAttribute("PacketSize", ns.UintegerValue(64))
        capps = echo.Install(client)
        capps.Start(ns.Seconds(0.0))
    cppyy.gbl.vpcsim_peer.Hook()
    ns.Simulator.Stop(ns.Seconds(seconds))
    start = time.perf_counter()
    ns.Simulator.Run()
    wall = time.perf_counter() - start
    delivered = int(cppyy.gbl.vpcsim_peer.Delivered())
    ns.Simulator.Destroy()
    print(f"ns3 n={n} seconds={seconds} delivered={delivered} wall={wall:.3f}")


if __name__ == "__main__":
    main()
