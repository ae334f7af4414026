//! Small `Copy` ids that index the design's vectors: the hot path holds
//! these, never names.

macro_rules! ids {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            #[inline]
            pub fn idx(self) -> usize {
                self.0 as usize
            }
            #[inline]
            pub fn from_idx(i: usize) -> Self {
                Self(i as u32)
            }
        }
    )*};
}

ids!(
    VpcId,
    SubnetId,
    RouteTableId,
    IgwId,
    NatId,
    PrefixListId,
    EndpointId,
    SgId,
    NaclId,
    PeeringId,
    VgwId,
    OnpremNetId,
    InstanceId,
    LambdaId,
    ExternalHostId,
    AwsServiceId,
    OnpremHostId,
    EniId,
    TrafficId,
    TgwId,
    TgwAttachmentId,
    TgwRouteTableId,
    AzId,
);
